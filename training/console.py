"""Progress for long job steps: a spinner while a step runs, its duration when it ends."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

console = Console(stderr=True)


@contextmanager
def step(description: str) -> Iterator[None]:
    started = time.perf_counter()
    with console.status(f"{description}..."):
        yield
    console.print(f"[green]✓[/green] {description} ({time.perf_counter() - started:.1f}s)")
