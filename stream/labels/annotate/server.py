"""`airparadis-annotate`: the annotation page and its JSON API (aiohttp).

Sign-in: a name and its token from `AIRPARADIS_ANNOTATE_TOKENS` (compared in constant time)
give a random session token, kept by the page in sessionStorage and sent in the
`X-Session-Token` header of every JSON POST. No cookie is ever set, so another site cannot
make a browser send an authenticated request (CSRF); bodies must be JSON.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import math
import random
import re
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer
from aiohttp import web
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from stream.labels import agreement as agreement_rules
from stream.labels.annotate import metrics, page, queue
from stream.labels.store import LabelStore
from stream.settings import Settings

SESSION_TTL_S = 12 * 3600
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
ANSWERS = {"negative", "positive", "neutral", "skip"}
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_DUMMY = secrets.token_urlsafe(32)


def token_matches(tokens: dict[str, Any], name: str, token: str) -> bool:
    """Constant-time compare; an unknown name costs the same as a wrong token."""
    expected = tokens.get(name)
    secret = expected.get_secret_value() if expected is not None else _DUMMY
    same = hmac.compare_digest(secret.encode(), token.encode())
    return same and expected is not None


@dataclass
class Annotation:
    settings: Settings
    store: LabelStore
    rng: random.Random = field(default_factory=random.Random)
    sessions: dict[str, tuple[str, float]] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    result: agreement_rules.Agreement | None = None  # None: not computed yet
    flags: dict[str, str | None] = field(default_factory=dict)

    def annotator(self, request: web.Request) -> str:
        token = request.headers.get("X-Session-Token", "")
        name, expires = self.sessions.get(token, ("", 0.0))
        if not token or time.monotonic() > expires:
            self.sessions.pop(token, None)
            raise _error(web.HTTPUnauthorized, "sign in first")
        return name

    def refresh(self) -> None:
        """Recompute kappa and write which annotations are trusted (after each answer)."""
        window = self.settings.labels_kappa_window
        annotations = queue.read_annotations(self.store)
        self.result = agreement_rules.agreement(annotations, window)
        self.flags = queue.refresh_trust(self.store, window, self.settings.labels_kappa_min)

    def agreement(self) -> dict[str, Any]:
        """Kappa for the page (and the gauges), trust states of annotated tweets."""
        if self.result is None:
            self.refresh()
        window, result = self.settings.labels_kappa_window, self.result
        assert result is not None
        states = Counter("trusted" if flag is None else flag for flag in self.flags.values())
        _export(result, states)
        return {
            "overall": result.overall,
            "tweets": result.tweets,
            "window": window,
            "kappa_min": self.settings.labels_kappa_min,
            "pairs": [
                {"a": a, "b": b, "kappa": value, "tweets": n}
                for (a, b), (value, n) in result.pairs.items()
            ],
            "states": dict(sorted(states.items())),
        }

    def next_for(self, name: str) -> dict[str, Any]:
        task = queue.next_task(self.store, name, self.settings.labels_random_share, self.rng)
        return {"task": task.__dict__ if task else None, "agreement": self.agreement()}


def _export(result: agreement_rules.Agreement, states: Counter[str]) -> None:
    metrics.KAPPA_OVERALL.set(math.nan if result.overall is None else result.overall)
    metrics.DOUBLE_LABELLED.set(result.tweets)
    metrics.KAPPA.clear()
    for (a, b), (value, _) in result.pairs.items():
        metrics.KAPPA.labels(f"{a}|{b}").set(math.nan if value is None else value)
    metrics.TWEETS.clear()
    for state, count in states.items():
        metrics.TWEETS.labels(state).set(count)


def _error(kind: type[web.HTTPException], message: str) -> web.HTTPException:
    return kind(text=json.dumps({"error": message}), content_type="application/json")


async def _json_body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise _error(web.HTTPUnsupportedMediaType, "send application/json")
    origin = request.headers.get("Origin")
    if origin and origin.split("://", 1)[-1] != request.host:
        raise _error(web.HTTPForbidden, "cross-origin request")
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _error(web.HTTPBadRequest, "malformed JSON") from None
    if not isinstance(body, dict):
        raise _error(web.HTTPBadRequest, "expected a JSON object")
    return body


def build_app(
    settings: Settings, store: LabelStore, rng: random.Random | None = None
) -> web.Application:
    state = Annotation(settings, store, rng or random.Random())
    tokens = settings.annotate_tokens
    routes = web.RouteTableDef()

    @web.middleware
    async def security_headers(request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers.update(HEADERS)
            raise
        response.headers.update(HEADERS)
        return response

    @routes.get("/")
    async def index(_: web.Request) -> web.Response:
        return web.Response(text=page.HTML, content_type="text/html")

    @routes.get("/app.js")
    async def script(_: web.Request) -> web.Response:
        return web.Response(text=page.JS, content_type="text/javascript")

    @routes.get("/app.css")
    async def style(_: web.Request) -> web.Response:
        return web.Response(text=page.CSS, content_type="text/css")

    @routes.post("/api/login")
    async def login(request: web.Request) -> web.Response:
        body = await _json_body(request)
        name, token = str(body.get("name", "")), str(body.get("token", ""))
        if not NAME.match(name) or not token_matches(tokens, name, token):
            metrics.LOGINS.labels("refused").inc()
            raise _error(web.HTTPUnauthorized, "unknown name or wrong token")
        metrics.LOGINS.labels("ok").inc()
        session = secrets.token_urlsafe(32)
        state.sessions[session] = (name, time.monotonic() + SESSION_TTL_S)
        return web.json_response({"session": session, "name": name})

    @routes.post("/api/logout")
    async def logout(request: web.Request) -> web.Response:
        await _json_body(request)
        state.sessions.pop(request.headers.get("X-Session-Token", ""), None)
        return web.json_response({"signed_out": True})

    @routes.post("/api/next")
    async def next_tweet(request: web.Request) -> web.Response:
        await _json_body(request)
        name = state.annotator(request)
        async with state.lock:
            return web.json_response(await asyncio.to_thread(state.next_for, name))

    @routes.post("/api/answer")
    async def answer(request: web.Request) -> web.Response:
        body = await _json_body(request)
        name = state.annotator(request)
        given, tweet_id = body.get("answer"), body.get("tweet_id")
        if given not in ANSWERS or not isinstance(tweet_id, str):
            raise _error(web.HTTPBadRequest, f"answer must be one of {sorted(ANSWERS)}")
        async with state.lock:
            known = await asyncio.to_thread(queue.answer, store, name, tweet_id, given)
            if not known:
                raise _error(web.HTTPNotFound, f"unknown tweet {tweet_id!r}")
            metrics.ANSWERS.labels(given).inc()
            if given != "skip":
                await asyncio.to_thread(state.refresh)
            return web.json_response(await asyncio.to_thread(state.next_for, name))

    @routes.get("/metrics")
    async def prometheus(_: web.Request) -> web.Response:
        async with state.lock:
            await asyncio.to_thread(state.agreement)
        body = generate_latest(metrics.REGISTRY)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    @routes.get("/health")
    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application(middlewares=[security_headers], client_max_size=64 * 1024)
    app.add_routes(routes)
    return app


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address (default AIRPARADIS_ANNOTATE_HOST).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port (default AIRPARADIS_ANNOTATE_PORT).")
    ] = None,
) -> None:
    """Serve the annotation page: sign in with a name and token from AIRPARADIS_ANNOTATE_TOKENS."""
    settings = Settings()
    if not settings.annotate_tokens:
        typer.echo(
            'error: no annotators: set AIRPARADIS_ANNOTATE_TOKENS=\'{"name": "token"}\'', err=True
        )
        raise typer.Exit(1)
    store = LabelStore.from_url(settings.labels_db_url)
    web.run_app(
        build_app(settings, store),
        host=host or settings.annotate_host,
        port=port or settings.annotate_port,
    )


def main() -> None:
    typer.run(serve)
