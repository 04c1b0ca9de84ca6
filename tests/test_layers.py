"""Imports run one way: models < stream < training (tools on top); no cycles (tests.layers)."""

from __future__ import annotations

from pathlib import Path

from tests.layers import breaches

ROOT = Path(__file__).resolve().parents[1]


def test_no_import_runs_against_the_layers() -> None:
    found, graph = breaches(ROOT)
    assert found == []
    assert "stream.kafka" in graph and "models.lstm" in graph  # the walk saw the packages


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    for package in ("models", "stream", "training"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "models" / "bad.py").write_text("from stream.settings import Settings\n")
    (tmp_path / "stream" / "settings.py").write_text("import models.bad\n")
    found, _ = breaches(tmp_path)
    assert any("models is the bottom layer" in line for line in found)
    assert any(line.startswith("import cycle") for line in found)


def test_the_alert_domain_may_import_neither_settings_nor_faust(tmp_path: Path) -> None:
    for package in ("models", "stream", "stream/alerts", "training"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "stream" / "alerts" / "buzz.py").write_text(
        "def f():\n    from stream.settings import Settings\n    import faust\n"
    )
    found, _ = breaches(tmp_path)
    assert any("imports stream.settings (the alert domain takes" in line for line in found)
    assert any("imports faust (the alert domain imports no Faust)" in line for line in found)
