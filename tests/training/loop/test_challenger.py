"""The loop's challenger keeps a BiLSTM champion's recipe: a retrain of the served v4 (VADER's
valences as embedding columns) must not come back without them, from scratch or warm."""

from __future__ import annotations

import numpy as np
import pytest

from models.data import LabelledTexts
from models.lstm.lexicon_prior import token_valences
from models.lstm.model import LstmConfig, LstmModel
from models.lstm.vocab import Vocabulary
from models.preprocessing import Preprocessor
from training.loop.challenger import fit
from training.loop.dataset import TrainingSet

LEXICON = LstmConfig(
    embedding_dim=8, lstm_units=4, max_epochs=1, w2v_epochs=1, batch_size=8, lexicon_dims=3
)
OLD = ["the flight was late again", "love the crew, great flight"] * 20
NEW = ["turbulence and a late gate", "smooth turbulence, kind crew"] * 20  # a new word
LABELS = np.array([0, 1] * 20)


@pytest.fixture(scope="module")
def champion() -> LstmModel:
    model = LstmModel(LEXICON)
    model.fit(OLD, LABELS, OLD[:8], LABELS[:8])
    return model


@pytest.mark.parametrize("warm_start", [False, True])
def test_a_retrained_lexicon_champion_keeps_its_valence_columns(
    champion: LstmModel, warm_start: bool
) -> None:
    data = TrainingSet(NEW, LABELS, np.ones(len(NEW)), np.array(["base"] * len(NEW)))
    challenger = fit(champion, data, LabelledTexts(NEW[:8], LABELS[:8]), warm_start)

    assert challenger.config.lexicon_dims == 3
    vocab = challenger.vocab
    assert isinstance(vocab, Vocabulary)
    assert challenger.weights["embedding"].shape == (len(vocab), 8 + 3)
    # "horrible": a lexicon word neither corpus used, so its columns are still VADER's
    row = challenger.weights["embedding"][vocab.encode(["horrible"], 1)[0]]
    valence = token_valences(Preprocessor())["horrible"]
    np.testing.assert_allclose(row[8:], [valence] * 3, atol=1e-3)
    # warm: the champion's vocabulary; scratch: one built from the new tweets
    assert ("turbulence" in vocab) is not warm_start
