"""Retrain requests: debounce (`stream.rollout.retrain`), run the command, publish events.

A request (an alert's cause or `schedule`) goes through the debounce kept in the registry
(tag `retrain_debounce`, so a restarted orchestrator keeps it); a granted one runs
`retrain_command` in the background. Request, skip and outcome are `RetrainEvent`s handed
to `send` (the `retrain.events` topic in the app).
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from stream.rollout import retrain
from stream.settings import Settings

log = logging.getLogger(__name__)

Send = Callable[[retrain.RetrainEvent], Awaitable[None]]


class Retrainer:
    """One retrain in flight at most; its debounce state is read from the registry once."""

    def __init__(self, settings: Settings, model_name: str, send: Send | None = None) -> None:
        self.settings = settings
        self.model_name = model_name
        self.config = settings.retrain
        self.send = send
        self.debounce: retrain.DebounceState | None = None  # read from the registry at first use
        self.running: asyncio.Future[None] | None = None  # the retrain in progress

    async def request(self, cause: str, alert_id: str | None = None) -> None:
        now = datetime.now(UTC)
        before = await self._debounce()
        self.debounce, event = retrain.request(before, cause, now, self.config, alert_id)
        await self._save_debounce()
        await self._publish(event)
        if event.event == "requested":
            self.running = asyncio.ensure_future(self._run(event.request_id))

    async def _run(self, request_id: str) -> None:
        command = shlex.split(self.settings.retrain.command)
        try:
            process = await asyncio.create_subprocess_exec(
                *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
            )
            output, _ = await process.communicate()
            ok, detail = process.returncode == 0, output.decode(errors="replace")[-500:]
        except OSError as error:
            ok, detail = False, f"{type(error).__name__}: {error}"
        before = await self._debounce()
        self.debounce, event = retrain.finish(before, request_id, ok, datetime.now(UTC), detail)
        await self._save_debounce()
        await self._publish(event)

    async def _debounce(self) -> retrain.DebounceState:
        from stream.rollout import store

        if self.debounce is None:
            try:
                self.debounce = await asyncio.to_thread(
                    store.load_debounce, self.settings, self.model_name
                )
            except Exception:  # no registered model yet, or the registry is down
                log.warning("retrain debounce unreadable; starting from none", exc_info=True)
                self.debounce = retrain.DebounceState()
        return self.debounce

    async def _save_debounce(self) -> None:
        from stream.rollout import store

        if self.debounce is None:
            return
        try:
            await asyncio.to_thread(
                store.save_debounce, self.settings, self.model_name, self.debounce
            )
        except Exception:
            log.warning("retrain debounce not saved (kept in memory)", exc_info=True)

    async def _publish(self, event: retrain.RetrainEvent) -> None:
        log.info("retrain %s: %s %s", event.event, event.cause, event.detail[:200])
        if self.send is not None:
            await self.send(event)
