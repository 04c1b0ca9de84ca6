"""MiniLM transformer: checkpoint, WordPiece, network, fit, the model."""
