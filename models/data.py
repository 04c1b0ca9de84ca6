"""Labelled tweet files: the full Sentiment140 CSV, the 100k subset, and generic `text,label` CSVs.

`load_dataset(path)` detects the format from the first line and reads gzip or plain files.
Every row is checked; problems are collected and raised together as one `DataError` that
names the line and the reason (missing columns, unknown labels, empty texts, bad bytes).
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from _csv import Reader

#: The 100k subset beside the repository (CI clones it with `shared/` next to it).
DEFAULT_DATA = (
    Path(__file__).resolve().parents[2] / "shared/data/sentiment140/sentiment140_subset_100k.csv.gz"
)
MAX_REPORTED_PROBLEMS = 20

SENTIMENT140_COLUMNS = ("polarity", "id", "date", "query", "user", "text")
SENTIMENT140_LABELS = {"0": 0, "4": 1}
GENERIC_LABELS = {"0": 0, "1": 1, "negative": 0, "positive": 1}
NEUTRAL = "2"


class DataError(ValueError):
    """A data file that breaks its format; `problems` lists `line N: reason` strings."""

    def __init__(self, path: Path | str, problems: Sequence[str]) -> None:
        total = len(problems)
        shown = "\n  ".join(problems[:MAX_REPORTED_PROBLEMS])
        more = (
            f"\n  ... and {total - MAX_REPORTED_PROBLEMS} more"
            if total > MAX_REPORTED_PROBLEMS
            else ""
        )
        super().__init__(f"{path}: {total} problem(s):\n  {shown}{more}")
        self.path = str(path)
        self.problems = list(problems)


@dataclass(frozen=True)
class LabelledTexts:
    """Texts with 0/1 labels (1 = positive)."""

    texts: list[str]
    labels: np.ndarray
    dropped_neutral: int = 0

    def __len__(self) -> int:
        return len(self.texts)

    def take(self, indices: Sequence[int] | np.ndarray) -> LabelledTexts:
        return LabelledTexts(
            [self.texts[i] for i in indices], self.labels[np.asarray(indices, dtype=int)]
        )

    def class_counts(self) -> dict[str, int]:
        positives = int(self.labels.sum())
        return {"negative": len(self) - positives, "positive": positives}

    @classmethod
    def from_groups(cls, groups: Mapping[str, Sequence[tuple[str, int]]]) -> LabelledTexts:
        """Hand-written cases grouped by theme ({theme: [(text, label)]}), in order."""
        cases = [case for group in groups.values() for case in group]
        return cls([text for text, _ in cases], np.asarray([y for _, y in cases], dtype=np.int64))


@dataclass(frozen=True)
class _Layout:
    """Where the text and the label are in each row, and what the labels mean."""

    name: str
    encoding: str
    has_header: bool
    text_index: int
    label_index: int
    width: int
    labels: dict[str, int]


def load_dataset(path: Path | str) -> LabelledTexts:
    """Read any supported labelled file (plain or gzip); raise DataError on any bad row."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"data file not found: {path}")
    layout = detect_format(path)
    problems: list[str] = []
    with _open_binary(path) as raw:
        rows = csv.reader(_decoded_lines(raw, layout.encoding, problems))
        data = _read_rows(rows, layout, problems)
    if problems:
        raise DataError(path, problems)
    if len(data) == 0:
        raise DataError(path, ["no labelled rows"])
    return data


def detect_format(path: Path) -> _Layout:
    """Recognise the layout from the first line: a named header, or 6 Sentiment140 columns."""
    with _open_binary(path) as raw:
        first = raw.readline().decode("utf-8-sig", errors="replace")
    cells = next(csv.reader([first]), [])
    header = [cell.strip().lower() for cell in cells]
    if "text" in header:
        return _headed_layout(path, header)
    if len(cells) == len(SENTIMENT140_COLUMNS) and cells[0].strip() in {"0", "2", "4"}:
        width = len(SENTIMENT140_COLUMNS)
        return _Layout("sentiment140", "latin-1", False, 5, 0, width, SENTIMENT140_LABELS)
    raise DataError(
        path,
        [
            f"line 1: unrecognised format {first.strip()[:80]!r}: expected a header with "
            "columns 'text,label' (or 'polarity,text'), or the 6-column Sentiment140 CSV "
            "(polarity,id,date,query,user,text) without a header"
        ],
    )


def _headed_layout(path: Path, header: list[str]) -> _Layout:
    text_index = header.index("text")
    if "label" in header:
        return _Layout(
            "generic", "utf-8", True, text_index, header.index("label"), len(header), GENERIC_LABELS
        )
    if "polarity" in header:
        index = header.index("polarity")
        return _Layout("subset", "utf-8", True, text_index, index, len(header), SENTIMENT140_LABELS)
    raise DataError(path, [f"line 1: missing column 'label' (header has {header})"])


def _open_binary(path: Path) -> io.BufferedIOBase:
    with open(path, "rb") as probe:
        is_gzip = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if is_gzip else open(path, "rb")


def _decoded_lines(raw: io.BufferedIOBase, encoding: str, problems: list[str]) -> Iterator[str]:
    """Decode line by line so a bad byte is reported with its line number."""
    for number, line in enumerate(raw, start=1):
        if number == 1 and encoding == "utf-8":
            line = line.removeprefix(b"\xef\xbb\xbf")
        try:
            yield line.decode(encoding)
        except UnicodeDecodeError as exc:
            problems.append(
                f"line {number}: undecodable bytes for {encoding} ({exc.reason}, byte {exc.start})"
            )
            yield line.decode(encoding, errors="replace")


def _read_rows(rows: Reader, layout: _Layout, problems: list[str]) -> LabelledTexts:
    texts: list[str] = []
    labels: list[int] = []
    neutral = 0
    if layout.has_header:
        next(rows, None)
    for row in rows:
        line = rows.line_num
        if not row:
            continue  # a blank line is not a row
        if len(row) != layout.width:
            problems.append(f"line {line}: expected {layout.width} columns, got {len(row)}")
            continue
        raw_label, text = row[layout.label_index].strip(), row[layout.text_index]
        if layout.name == "sentiment140" and raw_label == NEUTRAL:
            neutral += 1
            continue
        label = layout.labels.get(raw_label.lower())
        if label is None:
            expected = ", ".join(sorted(layout.labels))
            problems.append(
                f"line {line}: unknown label {raw_label!r} (expected one of {expected})"
            )
        elif not text.strip():
            problems.append(f"line {line}: empty text")
        else:
            texts.append(text)
            labels.append(label)
    return LabelledTexts(texts, np.asarray(labels, dtype=np.int64), dropped_neutral=neutral)


def write_subset_csv(data: LabelledTexts, path: Path) -> Path:
    """Write rows in the 100k subset's format (gzip if `.gz`): header polarity,text, 0/4."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["polarity", "text"])
    writer.writerows(
        [4 * int(label), text] for text, label in zip(data.texts, data.labels, strict=True)
    )
    payload = buffer.getvalue().encode("utf-8")
    if path.suffix == ".gz":
        payload = gzip.compress(payload, mtime=0)  # mtime 0: same rows, same bytes
    path.write_bytes(payload)
    return path
