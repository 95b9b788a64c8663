"""``serve``'s event delivery in a second process: the subscribers get a core of their own.

One process runs the APIs, another delivers the events to every subscriber (and raises
the SLA alerts that fall due, and sends the webhooks), both on the same database. On
SQLite they write the file in turns: the driver waits for the other's lock in short
steps (``sqlite_driver``), and positions still commit in order, so a checkpoint never
skips an event. Why two processes: ADR 0014.

The APIs' process starts the delivery (:class:`DeliveryProcess`, one of its workers),
tells it the names of the events each of its transactions committed (one line each, on
the delivery's standard input) and stops it when it stops; when the delivery ends on its
own, ``serve`` stops too. The delivery process (:func:`main`) wakes its subscribers at
each line, as the APIs' commits would wake them in one process, and ends when its input
does (the APIs' process is gone). Both count into one set of metrics files
(:func:`shared_metrics`), so that the APIs' ``/metrics`` shows the subscribers' too.
"""

import asyncio
import contextlib
import functools
import os
import sys
import tempfile
from collections.abc import Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any

import structlog

from logistics_platform.config import Settings
from logistics_platform.entrypoints.settings import settings_for_a_role
from logistics_platform.shared.infrastructure.persistence.database import in_memory

if TYPE_CHECKING:
    from logistics_platform.bootstrap import Platform

log = structlog.get_logger(__name__)

# Wake-ups not yet read by the delivery beyond which more are dropped: it is that far
# behind anyway, and it reads the log from its checkpoint, not from these lines.
_UNREAD_WAKE_UPS_BYTES = 1 << 16


def runs_apart(settings: Settings) -> bool:
    """Whether ``serve`` delivers the events in a process of its own: asked for, without
    RabbitMQ (which has processes of its own), on a database two processes can share."""
    shared = not in_memory(settings.database_url)
    return settings.delivery_process and settings.rabbitmq_url is None and shared


@contextlib.contextmanager
def shared_metrics() -> Iterator[None]:
    """Both processes count into one set of files, which ``/metrics`` reads whole
    (prometheus_client's multiprocess mode): the APIs' series and the subscribers' on one
    page. Enter it before anything imports prometheus_client, which reads the setting
    once; the files go when it exits."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before the metrics were shared")
    with tempfile.TemporaryDirectory(prefix="logistics-metrics-") as directory:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        try:
            yield
        finally:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]


class DeliveryProcess:
    """The APIs' side: starts the delivery process, wakes it, stops it."""

    def __init__(self, platform: "Platform") -> None:
        self._platform = platform

    async def run(self) -> None:
        """Until cancelled (then the delivery is stopped too); raises if it ends first."""
        # The APIs' process has migrated the schema; the delivery does not try again. Its
        # own session: a Ctrl+C in the terminal stops ``serve``, which stops it.
        environment = {**os.environ, "AUTO_MIGRATE": "false"}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            __name__,
            stdin=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,
        )
        assert process.stdin is not None  # a pipe, asked for above
        wake = functools.partial(_wake, process.stdin)
        self._platform.committed.listeners.append(wake)
        log.info("event delivery started in a process of its own", pid=process.pid)
        try:
            code = await process.wait()
        finally:
            self._platform.committed.listeners.remove(wake)
            await _stop(process)
        raise RuntimeError(f"the event delivery process ended (exit status {code})")


def _wake(stdin: asyncio.StreamWriter, names: frozenset[str]) -> None:
    """Tell the delivery process the names of the events a transaction committed."""
    if not stdin.is_closing() and stdin.transport.get_write_buffer_size() < _UNREAD_WAKE_UPS_BYTES:
        stdin.write((" ".join(sorted(names)) + "\n").encode())


async def _stop(process: asyncio.subprocess.Process) -> None:
    from logistics_platform.entrypoints.runner import SHUTDOWN_GRACE_SECONDS  # noqa: PLC0415

    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), SHUTDOWN_GRACE_SECONDS)
        except TimeoutError:
            log.error("the event delivery process did not stop: killed")
            process.kill()
            await process.wait()
    if process.stdin is not None:
        process.stdin.close()


def main() -> None:
    """The delivery process: every subscriber, the SLA monitor and the webhook dispatcher."""
    from logistics_platform.entrypoints.runner import run_role  # noqa: PLC0415 - see shared_metrics

    settings_for_a_role(role="serve-delivery")
    sys.exit(run_role({}, deliver=True, read_store=True, workers=_workers))


def _workers(platform: "Platform") -> list[Callable[[], Coroutine[Any, Any, None]]]:
    async def wake_ups() -> None:
        """Wake the subscribers at each line on stdin; return at its end."""
        delivery = platform.delivery
        assert delivery is not None  # no RabbitMQ: see runs_apart
        loop = asyncio.get_running_loop()
        lines = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(lines), sys.stdin)
        while line := await lines.readline():
            delivery.notify(frozenset(line.decode().split()))

    return [platform.sla_monitor().run, platform.webhook_dispatcher().run, wake_ups]


if __name__ == "__main__":
    main()
