"""Server-Sent Events for the dashboard: each change to a tracking view once its projection
has applied it, so that a page that re-reads the view on the event sees the change.

Each event's ``id`` is its position in the event log: a browser that reconnects sends it
back as ``Last-Event-ID`` and misses nothing; without it the stream starts from now on.
The stream polls (a cheap read of the projection's progress) and ends when the client
leaves or the process stops."""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

import structlog
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from logistics_platform.backoffice.application.live_changes import TrackingChange, TrackingChanges
from logistics_platform.backoffice.infrastructure.event_log import OutboxEventLog
from logistics_platform.entrypoints.http.dashboard_auth import Viewer
from logistics_platform.entrypoints.http.dependencies import PlatformDep
from logistics_platform.entrypoints.http.schemas import RESERVATION_ID_PATTERN
from logistics_platform.shared.infrastructure.persistence.availability import unavailable

log = structlog.get_logger(__name__)

POLL_SECONDS = 0.5
RETRY_MILLISECONDS = 2000  # how soon a browser reconnects after losing the stream
KEEP_ALIVE_SECONDS = 15.0  # under the usual proxy idle timeouts (nginx: 60 s)
EVENT = "tracking"
# How long after a change a read store's searches see it (docs/adr/0004): a page that
# re-reads its list on an event must find the change there too. SQL stores: at once.
SEARCHABLE_AFTER = {"elasticsearch": 1.2}

router = APIRouter(include_in_schema=False)


@router.get("/dashboard/stream")
async def tracking_changes(
    request: Request,
    platform: PlatformDep,
    _: Viewer,
    reservation: Annotated[str | None, Query(pattern=RESERVATION_ID_PATTERN)] = None,
    last_event_id: Annotated[str | None, Header(pattern=r"^\d{1,18}$")] = None,
) -> StreamingResponse:
    """``text/event-stream`` of tracking changes (of one reservation's view if given)."""
    changes = TrackingChanges(OutboxEventLog(platform.engine))
    start = await changes.start(None if last_event_id is None else int(last_event_id))
    searchable_after = SEARCHABLE_AFTER.get(platform.tracking_store.kind, 0.0)
    return StreamingResponse(
        _messages(request, changes, start, reservation, searchable_after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _messages(
    request: Request,
    changes: TrackingChanges,
    position: int,
    reservation: str | None,
    searchable_after: float,
) -> AsyncIterator[str]:
    stopping: asyncio.Event = request.app.state.stopping
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    quiet_since = time.monotonic()
    while not stopping.is_set() and not await request.is_disconnected():
        try:
            found = await changes.after(position)
        except Exception as error:
            if not unavailable(error):
                raise
            log.warning("live changes unavailable; the browser reconnects", error=repr(error))
            return
        if found and searchable_after:
            await _pause(stopping, searchable_after)
        for change in found:
            position = change.position
            if reservation in (None, change.reservation_id):
                yield message(change)
                quiet_since = time.monotonic()
        if len(found) == changes.batch:
            continue  # more are waiting
        if time.monotonic() - quiet_since >= KEEP_ALIVE_SECONDS:
            yield ": keep-alive\n\n"
            quiet_since = time.monotonic()
        await _pause(stopping, POLL_SECONDS)


async def _pause(stopping: asyncio.Event, seconds: float) -> None:
    """``seconds``, or less if the process stops meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


def message(change: TrackingChange) -> str:
    data = json.dumps({"reservationId": change.reservation_id, "event": change.event})
    return f"id: {change.position}\nevent: {EVENT}\ndata: {data}\n\n"
