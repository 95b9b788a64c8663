"""Commands: exactly one handler each, errors propagate to the caller."""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from logistics_platform.shared.application.unit_of_work import Causation

CommandHandler = Callable[[Any, Causation], Awaitable[Any]]


class CommandBus:
    """Routes a command to its handler by the command's type."""

    def __init__(self, handlers: Mapping[type, CommandHandler]) -> None:
        self._handlers = dict(handlers)

    async def handle(self, command: object, causation: Causation | None = None) -> Any:
        handler = self._handlers.get(type(command))
        if handler is None:
            raise LookupError(f"no handler for {type(command).__name__}")
        return await handler(command, causation or Causation())
