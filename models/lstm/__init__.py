"""Word2Vec + BiLSTM: config, vocabulary, embeddings, Keras fit, NumPy serving."""
