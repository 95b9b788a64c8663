"""What routes depend on, declared once: the process's platform and the request's causation."""

from typing import Annotated

from fastapi import Depends, Request

from logistics_platform.bootstrap import Platform
from logistics_platform.shared.application.unit_of_work import Causation


async def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def _causation(request: Request) -> Causation:
    """Caused by the request: its correlation id (see access_log) goes with its events."""
    correlation_id: str | None = getattr(request.state, "correlation_id", None)
    return Causation(correlation_id=correlation_id) if correlation_id else Causation()


PlatformDep = Annotated[Platform, Depends(_platform)]
CausationDep = Annotated[Causation, Depends(_causation)]
