"""What routes depend on, declared once: the process's platform and the request's causation."""

import uuid
from typing import Annotated

from fastapi import Depends, Header, Request

from logistics_platform.bootstrap import Platform
from logistics_platform.shared.application.unit_of_work import Causation


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
