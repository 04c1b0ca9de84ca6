"""Download the full Sentiment140 training file (1.6M tweets) from its official address.

Never used by tests or CI (it needs the internet): run `airparadis-train download DEST`,
then train with `--data DEST/training.1600000.processed.noemoticon.csv`. The archive is
checked against its published size and SHA-256 before anything is extracted.
"""

from __future__ import annotations

import hashlib
import shutil
import urllib.request
import zipfile
from pathlib import Path

URL = "http://cs.stanford.edu/people/alecmgo/trainingandtestdata.zip"
ARCHIVE_SIZE = 81_363_704
ARCHIVE_SHA256 = "004a3772c8a7ff9bbfeb875880f47f0679d93fc63e5cf9cff72d54a8a6162e57"
TRAINING_CSV = "training.1600000.processed.noemoticon.csv"
_CHUNK = 1 << 20


class ChecksumError(ValueError):
    """A downloaded file is not the one we expected."""


def verify_archive(path: Path, size: int = ARCHIVE_SIZE, sha256: str = ARCHIVE_SHA256) -> None:
    """Raise ChecksumError unless `path` has the expected size and SHA-256."""
    actual_size = path.stat().st_size
    if actual_size != size:
        raise ChecksumError(f"{path}: size {actual_size:,} bytes, expected {size:,}")
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        raise ChecksumError(f"{path}: sha256 {digest.hexdigest()}, expected {sha256}")


def download_sentiment140(dest: Path, url: str = URL) -> Path:
    """Fetch and verify the archive into `dest`, extract the training CSV, return its path.

    Reuses a verified archive already in `dest`. The CSV is latin-1, without a header,
    columns polarity,id,date,query,user,text (`models.data.load_dataset` reads it).
    """
    dest.mkdir(parents=True, exist_ok=True)
    archive = dest / Path(url).name
    if not archive.is_file() or archive.stat().st_size != ARCHIVE_SIZE:
        _fetch(url, archive)
    verify_archive(archive)
    with zipfile.ZipFile(archive) as bundle:
        bundle.extract(TRAINING_CSV, dest)
    return dest / TRAINING_CSV


def _fetch(url: str, target: Path) -> None:
    from tqdm import tqdm

    partial = target.with_suffix(".part")
    with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as out:
        total = int(response.headers.get("Content-Length") or ARCHIVE_SIZE)
        with tqdm(total=total, unit="B", unit_scale=True, desc=target.name) as bar:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                bar.update(len(chunk))
    shutil.move(partial, target)
