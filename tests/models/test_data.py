"""Loaders: each supported format, and bad rows reported with their line and reason."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from models.data import (
    DEFAULT_DATA,
    DataError,
    LabelledTexts,
    detect_format,
    load_dataset,
    write_subset_csv,
)

SAMPLE = Path(__file__).resolve().parents[2] / "training/data/sample_tweets.csv.gz"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_sample_file_is_balanced_subset_format() -> None:
    data = load_dataset(SAMPLE)
    assert detect_format(SAMPLE).name == "subset"
    assert data.class_counts() == {"negative": 2000, "positive": 2000}
    assert set(np.unique(data.labels)) == {0, 1}
    assert SAMPLE.stat().st_size < 1_000_000


@pytest.mark.skipif(not DEFAULT_DATA.is_file(), reason="shared 100k subset not beside the repo")
def test_100k_subset_loads() -> None:
    data = load_dataset(DEFAULT_DATA)
    assert len(data) == 100_000
    assert data.class_counts() == {"negative": 50_000, "positive": 50_000}


def test_full_sentiment140_csv_latin1_no_header_neutral_dropped(tmp_path: Path) -> None:
    rows = (
        '"0","1467810369","Mon Apr 06 22:19:45 PDT 2009","NO_QUERY","bob","my flight is late"\n'
        '"4","1467810672","Mon Apr 06 22:19:49 PDT 2009","NO_QUERY","amy","café was great"\n'
        '"2","1467810917","Mon Apr 06 22:19:53 PDT 2009","NO_QUERY","joe","it is a plane"\n'
    )
    path = write(tmp_path / "training.csv", rows, encoding="latin-1")
    data = load_dataset(path)
    assert detect_format(path).name == "sentiment140"
    assert data.texts == ["my flight is late", "café was great"]
    assert data.labels.tolist() == [0, 1]
    assert data.dropped_neutral == 1


def test_generic_csv_any_column_order_and_word_labels(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mine.csv",
        "id,label,text\n1,positive,great crew\n2,NEGATIVE,lost my bag\n"
        '3,1,on time\n4,0,"late, again"\n',
    )
    data = load_dataset(path)
    assert data.texts == ["great crew", "lost my bag", "on time", "late, again"]
    assert data.labels.tolist() == [1, 0, 1, 0]


def test_gzip_is_detected_by_content_and_round_trips(tmp_path: Path) -> None:
    rows = LabelledTexts(["so happy", "so sad"], np.array([1, 0]))
    path = write_subset_csv(rows, tmp_path / "rows.csv.gz")
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    assert gzip.decompress(path.read_bytes()).startswith(b'"polarity","text"\n"4","so happy"')
    assert load_dataset(path).texts == ["so happy", "so sad"]


def test_missing_label_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", "text,sentiment\nhello,1\n")
    with pytest.raises(DataError, match=r"line 1: missing column 'label'"):
        load_dataset(path)


def test_unrecognised_format_says_what_is_expected(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", "a,b\n1,2\n")
    with pytest.raises(DataError, match=r"line 1: unrecognised format .*text,label"):
        load_dataset(path)


def test_every_bad_row_is_reported_with_line_and_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.csv",
        "text,label\nfine,1\nwhat,maybe\n   ,0\ntoo,many,columns\nok,0\n",
    )
    with pytest.raises(DataError) as caught:
        load_dataset(path)
    assert caught.value.problems == [
        "line 3: unknown label 'maybe' (expected one of 0, 1, negative, positive)",
        "line 4: empty text",
        "line 5: expected 2 columns, got 3",
    ]


def test_undecodable_bytes_report_their_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"text,label\nfine,1\nbad \xff byte,0\n")
    with pytest.raises(DataError, match=r"line 3: undecodable bytes for utf-8"):
        load_dataset(path)


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.csv", "text,label\n")
    with pytest.raises(DataError, match="no labelled rows"):
        load_dataset(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="data file not found"):
        load_dataset(tmp_path / "nope.csv")
