"""Commands: exactly one handler each, run in a unit of work the bus opens and commits;
the caller gets what the handler answered (the aggregate it changed, say), and errors
propagate to it.

The one batching seam: commands that arrive while a transaction commits are handled
together in the next one (:class:`GroupCommit`), each still answered on its own. A
handler's refusal (a ``DomainError``) changes nothing and concerns only its command;
anything else fails the batch, whose commands are then handled one by one.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from logistics_platform.shared.application.group_commit import GroupCommit
from logistics_platform.shared.application.retry import retry_on_concurrent_modification
from logistics_platform.shared.application.unit_of_work import Causation, UnitOfWork
from logistics_platform.shared.domain.errors import ConcurrentModification, DomainError

U = TypeVar("U", bound=UnitOfWork)
Handler = Callable[[Any, U], Awaitable[Any]]
Request = tuple[object, Causation]


class CommandBus(Generic[U]):
    """Routes each command to its handler by the command's type.

    ``prepare`` runs before a batch with its commands (to read what they need at once).
    ``max_batch`` and ``concurrency`` (transactions at a time) tune the group commit."""

    def __init__(
        self,
        handlers: Mapping[type, Handler[U]],
        unit_of_work: Callable[[Causation], U],
        *,
        prepare: Callable[[Sequence[object], U], Awaitable[None]] | None = None,
        max_batch: int = 64,
        concurrency: int = 2,
    ) -> None:
        self._handlers = dict(handlers)
        self._unit_of_work = unit_of_work
        self._prepare = prepare
        self._batches = GroupCommit[Request, Any](
            self._handle_together, self._handle_alone, max_batch=max_batch, concurrency=concurrency
        )

    async def handle(self, command: object, causation: Causation | None = None) -> Any:
        """What the command's handler answered, once its transaction committed."""
        if type(command) not in self._handlers:
            raise LookupError(f"no handler for {type(command).__name__}")
        return await self._batches.submit((command, causation or Causation()))

    async def _handle_alone(self, request: Request) -> Any:
        (outcome,) = await self._handle_together([request])
        if isinstance(outcome, DomainError):
            raise outcome
        return outcome

    async def _handle_together(self, requests: Sequence[Request]) -> list[Any]:
        """Each request's handler's answer, or the ``DomainError`` that refused it."""

        async def attempt() -> list[Any]:
            async with self._unit_of_work(requests[0][1]) as uow:
                if self._prepare is not None:
                    await self._prepare([command for command, _ in requests], uow)
                outcomes = [await self._handle_one(request, uow) for request in requests]
                await uow.commit()
            return outcomes

        return await retry_on_concurrent_modification(attempt)

    async def _handle_one(self, request: Request, uow: U) -> Any:
        command, causation = request
        uow.caused_by(causation)
        try:
            return await self._handlers[type(command)](command, uow)
        except ConcurrentModification:
            raise  # the whole transaction is tried again
        except DomainError as refused:
            return refused
