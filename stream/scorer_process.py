"""Score in a child process that holds its own copy of the model.

Tokenization and the forward pass then run on the second core instead of under the
worker's GIL, beside Faust's consumer and producer. The child is started (and the model
loaded) before the first batch; a crashed child is replaced on the next call.

The child exits when its parent goes, however it goes (kill -9 included): on Linux the
kernel sends it SIGKILL (PR_SET_PDEATHSIG; a stopped child dies too), and everywhere a
thread polls the parent pid. The death signal follows the thread that started the child,
which is the main thread or one of the event loop's executor threads (alive until exit).
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import numpy as np

from stream.alerts.scopes import ScopeConfig
from stream.scoring import Analysis, analyse, score_texts

_MODEL: Any = None  # the child's model, set by _load
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_POLL_S = 1.0


def die_with_parent(parent_pid: int) -> None:
    """Exit this process when `parent_pid` is no longer its parent."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    watcher = threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True)
    watcher.start()
    if os.getppid() != parent_pid:  # gone before the death signal was armed
        os._exit(1)


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


def _load(model_dir: str, parent_pid: int) -> None:
    global _MODEL
    from models.kinds import load_model

    die_with_parent(parent_pid)

    _MODEL = load_model(Path(model_dir))
    gc.freeze()  # the loaded model and modules out of the collector's full passes


def _ready() -> bool:
    return _MODEL is not None


def _score(texts: list[str]) -> tuple[np.ndarray, float]:
    return score_texts(_MODEL, texts)


def _analyse(texts: list[str], tags: list[list[str]], scopes: ScopeConfig) -> Analysis:
    return analyse(_MODEL, texts, tags, scopes)


class ProcessScorer:
    """`scorer(texts) -> (scores, oov_rate)`, computed in a dedicated child process."""

    def __init__(self, model_dir: Path, start_timeout_s: float = 300.0, wait: bool = True) -> None:
        """Start the child; with `wait=False` it loads while the caller does other work,
        and `wait_ready` must be called before the first batch."""
        self.model_dir = model_dir
        self.start_timeout_s = start_timeout_s
        self._lock = threading.Lock()
        self._pool, self._loading = self._spawn()
        if wait:
            self.wait_ready()

    def _spawn(self) -> tuple[ProcessPoolExecutor, Future[bool]]:
        pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load,
            initargs=(str(self.model_dir), os.getpid()),
        )
        return pool, pool.submit(_ready)

    def wait_ready(self) -> None:
        """Block until the child holds the model; raise if it could not load it."""
        if not self._loading.result(timeout=self.start_timeout_s):
            raise RuntimeError(f"scorer process could not load {self.model_dir}")

    def __call__(self, texts: Sequence[str]) -> tuple[np.ndarray, float]:
        result: tuple[np.ndarray, float] = self._run(_score, list(texts))
        return result

    async def analyse(
        self, texts: Sequence[str], tags: Sequence[Sequence[str]], scopes: ScopeConfig
    ) -> Analysis:
        """The batch's analysis; awaited on the event loop without a thread in between."""
        pool = self._pool
        try:
            args = (list(texts), [list(t) for t in tags], scopes)
            result: Analysis = await asyncio.wrap_future(pool.submit(_analyse, *args))
            return result
        except BrokenProcessPool:
            await asyncio.get_running_loop().run_in_executor(None, self._replace, pool)
            raise

    def _run(self, function: Callable[..., Any], *args: Any) -> Any:
        pool = self._pool
        try:
            return pool.submit(function, *args).result()
        except BrokenProcessPool:
            self._replace(pool)
            raise

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """A fresh child for the caller's retry (once, however many batches saw it break)."""
        with self._lock:
            if self._pool is broken:
                self._pool, self._loading = self._spawn()
                self.wait_ready()

    def close(self, wait: bool = True) -> None:
        """Stop the child once the calls in flight are done (`wait=False`: return at once,
        queued calls cancelled)."""
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
