"""The ``logistics`` console script: honours SIGTERM from its first instant.

Loading the platform takes a few seconds on a busy machine; an orchestrator may stop the
process meanwhile. Until the runner installs its own handlers, SIGTERM exits cleanly
(status 0) instead of killing the process mid-start.
"""

import signal
import sys
from types import FrameType


def main() -> None:
    signal.signal(signal.SIGTERM, _exit_cleanly)
    from logistics_platform.entrypoints.cli import main as cli  # noqa: PLC0415 - after the handler

    cli()


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)
