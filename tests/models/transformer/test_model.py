"""TransformerModel: a tiny fine-tuning run on a tiny real checkpoint, freezing, the saved
artifact (reloads with identical predictions), length buckets and input errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from models.kinds import load_model
from models.manifest import read_manifest
from models.transformer.model import TransformerConfig, TransformerModel
from models.transformer.wordpiece import bucketed_batches, pad_ids
from stream.settings import Settings
from tests.models.bert_checkpoints import write_tiny_checkpoint

POSITIVE = ["i love this airline", "great crew , thanks", "best flight today !", "good seat"]
NEGATIVE = ["i hate this airline", "awful delay again", "worst flight , never again", "bad crew"]


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[TransformerModel, dict, Path]:
    checkpoint = write_tiny_checkpoint(tmp_path_factory.mktemp("ckpt"))
    model = TransformerModel(tiny_config(checkpoint, train_dtype="mixed_bfloat16"))
    texts, labels = POSITIVE + NEGATIVE, [1] * 4 + [0] * 4
    history = model.fit(texts, labels, texts, labels)
    return model, history, checkpoint


def tiny_config(checkpoint: Path, **changes: object) -> TransformerConfig:
    values: dict[str, object] = {"max_length": 16, "batch_size": 4, "epochs": 2}
    values |= {"learning_rate": 1e-2, "trainable_layers": 2} | changes
    return TransformerConfig(checkpoint=str(checkpoint), **values)  # type: ignore[arg-type]


def test_mixed_precision_training_serves_in_float32(trained: tuple) -> None:
    model, _, _ = trained
    assert model._net.backbone.dtype_policy.name == "float32"
    assert model.config.train_dtype == "mixed_bfloat16"


def test_float32_training_within_a_time_budget_reloads_identically(tmp_path: Path) -> None:
    checkpoint = write_tiny_checkpoint(tmp_path / "ckpt")
    config = tiny_config(checkpoint, epochs=3, time_budget_s=0.0, train_dtype="float32")
    model = TransformerModel(config)
    history = model.fit(POSITIVE, [1] * 4, NEGATIVE, [0] * 4)
    assert len(history["loss"]) == 1 and model.metadata["time_budget_reached"]
    assert model.config.train_dtype == "float32"
    model.save(tmp_path / "model")
    texts = POSITIVE + NEGATIVE
    np.testing.assert_array_equal(
        TransformerModel.load(tmp_path / "model").predict_proba(texts), model.predict_proba(texts)
    )


def test_fit_reports_history_and_reference_scores(trained: tuple) -> None:
    model, history, _ = trained
    assert {"loss", "val_loss", "val_auc"} <= set(history)
    assert all(np.isfinite(history["loss"]))
    assert model.reference_scores is not None and model.reference_scores.shape == (8,)
    assert model.metadata["train_samples"] == 8 and not model.metadata["time_budget_reached"]
    assert model.metadata["epochs_run"] == 2


def test_only_the_top_layers_and_head_are_fine_tuned(trained: tuple) -> None:
    from models.transformer.checkpoint import load_backbone

    model, _, checkpoint = trained
    original = load_backbone(checkpoint)
    tuned = model._net.backbone

    def same(layer: str) -> bool:
        before, after = original.get_layer(layer), tuned.get_layer(layer)
        pairs = zip(before.get_weights(), after.get_weights(), strict=True)
        return all(np.array_equal(a, b) for a, b in pairs)

    assert same("token_embedding") and same("transformer_layer_0")
    assert not same("transformer_layer_1") and not same("transformer_layer_2")


def test_saved_model_reloads_with_identical_predictions(trained: tuple, tmp_path: Path) -> None:
    model, _, _ = trained
    texts = ["I LOVE this crew", "delayed again ...", "", "zebra"]
    model.save(tmp_path / "model")
    assert read_manifest(tmp_path / "model")["kind"] == "transformer"
    reloaded = load_model(tmp_path / "model")
    expected = model.predict_proba(texts)
    assert expected.shape == (4,) and np.all((expected > 0) & (expected < 1))
    np.testing.assert_array_equal(reloaded.predict_proba(texts), expected)
    assert reloaded.oov_rate(["zebra love"]) == pytest.approx(0.5)
    assert isinstance(reloaded, TransformerModel)
    np.testing.assert_array_equal(reloaded.reference_scores, model.reference_scores)


def test_registered_model_is_served_by_configuration_alone(
    trained: tuple, tmp_path: Path, settings_factory: Callable[..., Settings]
) -> None:
    import mlflow

    from models.pyfunc import log_model_dir
    from models.registry import CHAMPION, REGISTERED_NAMES, register, use_experiment
    from stream.serving import load_served

    model, _, _ = trained
    model.save(tmp_path / "model")
    uri = f"models:/{REGISTERED_NAMES['transformer']}@{CHAMPION}"
    settings = settings_factory(model_uri=uri)
    use_experiment(settings)
    with mlflow.start_run():
        version = register(
            settings, log_model_dir(tmp_path / "model", "transformer"), "transformer", CHAMPION
        )
    served = load_served(settings)
    assert (served.name, served.version) == ("air-paradis-transformer", version)
    texts = [*POSITIVE, "zebra", ""]
    np.testing.assert_array_equal(served.model.predict_proba(texts), model.predict_proba(texts))


def test_predictions_do_not_depend_on_batch_composition(trained: tuple) -> None:
    model, _, _ = trained
    texts = POSITIVE + NEGATIVE + ["the crew was very very very good today and the seat too"]
    together = model.predict_proba(texts)
    alone = np.array([model.predict_proba([t])[0] for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_bad_inputs_name_the_row() -> None:
    model = TransformerModel()
    with pytest.raises(TypeError, match=r"texts\[1\]: expected str, got NoneType"):
        model.fit(["ok", None], [1, 0], ["ok"], [1])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"val_labels\[0\]: label must be 0 or 1, got 4"):
        model.fit(["ok"], [1], ["ok"], [4])
    with pytest.raises(RuntimeError, match="fit\\(\\) or load\\(\\)"):
        model.predict_proba(["ok"])


def test_trainable_layers_must_leave_a_frozen_layer(tmp_path: Path) -> None:
    config = TransformerConfig(checkpoint=str(write_tiny_checkpoint(tmp_path)), trainable_layers=3)
    with pytest.raises(ValueError, match=r"trainable_layers: must be in \[0, 2\]"):
        TransformerModel(config).fit(POSITIVE, [1] * 4, NEGATIVE, [0] * 4)


def test_length_buckets_cover_every_row_once_with_little_padding() -> None:
    lengths = np.random.default_rng(0).integers(3, 64, 1000)
    for rng in (None, np.random.default_rng(1)):
        batches = bucketed_batches(lengths, 32, rng)
        assert sorted(np.concatenate(batches).tolist()) == list(range(1000))
        padded = sum(len(b) * -(-lengths[b].max() // 8) * 8 for b in batches)
        assert padded < 1.25 * lengths.sum()  # one global batch would pad to 64 * 1000


def test_pad_ids_rounds_lengths_to_multiples_of_eight() -> None:
    ids, mask = pad_ids([np.arange(1, 4), np.arange(1, 11)])
    assert ids.shape == mask.shape == (2, 16)
    assert mask.sum(axis=1).tolist() == [3, 10] and ids[0, 3:].sum() == 0
