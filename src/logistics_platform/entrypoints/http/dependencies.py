"""How routes reach the process's composition root."""

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.shared.application.unit_of_work import Causation


def platform_lifespan(
    platform: Platform | None,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Use the given platform (``serve``, tests) or build one for this process."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if platform is not None:
            app.state.platform = platform
            yield
            return
        own = await bootstrap()
        app.state.platform = own
        try:
            yield
        finally:
            await own.close()

    return lifespan


async def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def _causation(x_correlation_id: Annotated[str | None, Header()] = None) -> Causation:
    try:
        return Causation(correlation_id=str(uuid.UUID(x_correlation_id or "")))
    except ValueError:
        return Causation()


PlatformDep = Annotated[Platform, Depends(_platform)]
CausationDep = Annotated[Causation, Depends(_causation)]
