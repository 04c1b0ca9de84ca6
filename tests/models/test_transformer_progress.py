"""Long transformer work shows progress: frozen-layer caching and every epoch, with an ETA."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from models.transformer.fit import Ticker
from models.transformer.model import TransformerModel
from tests.models.bert_checkpoints import write_tiny_checkpoint
from tests.models.transformer.test_model import NEGATIVE, POSITIVE, tiny_config


def test_ticker_reports_rate_and_time_left(capsys: pytest.CaptureFixture[str]) -> None:
    ticker = Ticker("caching", 10, "tweets", every_s=0.0)
    ticker.advance(4)
    ticker.advance(6)
    lines = capsys.readouterr().err.splitlines()
    assert re.fullmatch(r"  caching: 4/10 tweets, [\d,.]+/s, ETA \d+ s", lines[0])
    assert re.fullmatch(r"  caching: 10/10 tweets, [\d,.]+/s, done in \d+ s", lines[1])


def test_silent_ticker_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    Ticker("caching", 2, "tweets", every_s=None).advance(2)
    assert capsys.readouterr().err == ""


def test_a_tiny_fit_shows_caching_steps_and_epochs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    checkpoint = write_tiny_checkpoint(tmp_path / "ckpt")
    config = tiny_config(checkpoint, train_dtype="float32", progress_s=0.0, patience=5)
    TransformerModel(config).fit(POSITIVE * 2, [1] * 8, NEGATIVE, [0] * 4)
    err = capsys.readouterr().err
    assert "frozen layers, train: 8/8 tweets" in err and "frozen layers, validation: 4/4" in err
    assert re.search(r"epoch 1/2: 1/\d steps, [\d,.]+/s, ETA [\w ]+ s  loss \d\.\d{4}", err)
    assert re.search(r"epoch 1/2 done: .*val_loss \d\.\d{4}.*; at most [\w ]+ s more", err)
    assert "epoch 2/2 done" in err
