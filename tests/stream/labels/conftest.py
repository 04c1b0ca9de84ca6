"""An annotation server on a real port (a thread with its own event loop), over a temp store."""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from aiohttp import web

from stream.labels.annotate.server import build_app
from stream.labels.records import QueueItem
from stream.labels.store import LabelStore
from stream.settings import Settings

TOKENS = {"ann": "ann-secret-token", "bob": "bob-secret-token", "cat": "cat-secret-token"}


@dataclass
class Server:
    url: str
    store: LabelStore

    def post(self, path: str, body: Any = None, session: str = "", **kw: Any) -> requests.Response:
        headers = {"X-Session-Token": session, **kw.pop("headers", {})}
        return requests.post(self.url + path, json=body or {}, headers=headers, timeout=10, **kw)

    def login(self, name: str) -> str:
        response = self.post("/api/login", {"name": name, "token": TOKENS[name]})
        assert response.status_code == 200, response.text
        return str(response.json()["session"])


def queue_items(scores: dict[str, float], texts: dict[str, str] | None = None) -> list[QueueItem]:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        QueueItem(
            tweet_id=tweet_id,
            text=(texts or {}).get(tweet_id, f"tweet {tweet_id}"),
            model_score=score,
            tweet_time=t0 + timedelta(minutes=i),
            model_version="1",
        )
        for i, (tweet_id, score) in enumerate(scores.items())
    ]


@pytest.fixture
def annotate_server(settings_factory: Callable[..., Settings]) -> Iterator[Callable[..., Server]]:
    """annotate_server(**settings) -> a running Server; stopped after the test."""
    stops: list[Callable[[], None]] = []

    def start(**overrides: Any) -> Server:
        settings = settings_factory(annotate_tokens=TOKENS, **overrides)
        store = LabelStore.from_url(settings.labels_db_url)
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(build_app(settings, store, random.Random(0)))
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port = runner.addresses[0][1]
        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()

        def stop() -> None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.run_until_complete(runner.cleanup())
            loop.close()

        stops.append(stop)
        return Server(f"http://127.0.0.1:{port}", store)

    yield start
    for stop in stops:
        stop()
