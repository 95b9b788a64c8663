"""The reservation sweeper: held reservations past their expiry are expired through the
command path (``ExpireReservation``), so the rules, the outbox and the retries are the
commands'. Several replicas may sweep at once: the reservation's version check lets one
expiry win, and the others find it expired and change nothing (not an error)."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import structlog

from logistics_platform.inventory.application.commands import ExpireReservation
from logistics_platform.shared.application.command_bus import CommandBus
from logistics_platform.shared.domain.errors import DomainError

log = structlog.get_logger(__name__)

DueReservations = Callable[[datetime, int], Awaitable[list[str]]]


class ReservationSweeper:
    def __init__(
        self, due: DueReservations, commands: CommandBus[Any], *, interval: float, batch: int = 200
    ) -> None:
        self._due, self._commands = due, commands
        self._interval, self._batch = interval, batch

    async def sweep(self, now: datetime | None = None) -> int:
        """Expire what is due at ``now``; the number of reservations looked at."""
        now = now or datetime.now(UTC)
        due = await self._due(now, self._batch)
        for reservation_id in due:
            try:
                await self._commands.handle(ExpireReservation(reservation_id, now))
            except DomainError as refused:  # e.g. it vanished: nothing to expire
                log.warning(
                    "reservation not expired", reservation_id=reservation_id, error=str(refused)
                )
        return len(due)

    async def run(self) -> None:
        """Sweep every ``interval`` seconds until cancelled; a failed sweep (the database
        away, say) is logged and tried again next time."""
        while True:
            try:
                if await self.sweep() == self._batch:
                    continue  # more may be due
            except Exception as error:
                log.warning("reservation sweep failed", error=repr(error))
            await asyncio.sleep(self._interval)
