"""The learning loop's batch side: labels + base corpus -> weighted training set ->
challenger (`retrain`) -> champion/challenger decision (`gate`)."""
