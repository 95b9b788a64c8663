"""`logistics serve` as a real process on free ports and a fresh SQLite file, for tests that
need a browser or a signal: the platform as an operator runs it."""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.waiting import PROCESS_START, wait_until

LOGISTICS = str(Path(sys.executable).with_name("logistics"))
APIS = ("inventory", "backoffice", "health", "logistics")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    ports: dict[str, int]
    log: Path

    def url(self, api: str) -> str:
        return f"http://127.0.0.1:{self.ports[api]}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serve(directory: Path, **environment: str) -> Iterator[Served]:
    """`logistics serve` until the block ends (killed then, if still running)."""
    ports = {api: free_port() for api in APIS}
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'serve.db'}",
        **{f"{api.upper()}_PORT": str(port) for api, port in ports.items()},
        "LOG_FORMAT": "json",
        "RATE_LIMIT": "none",
        **environment,
    }
    for unset in ("RABBITMQ_URL", "ELASTICSEARCH_URL", "READ_STORE"):
        if unset not in environment:
            env.pop(unset, None)
    log = directory / "serve.log"
    # Into a file, not a pipe nobody reads while it runs: a full pipe would block its logging.
    with log.open("wb") as output:
        process = subprocess.Popen(
            [LOGISTICS, "serve"], env=env, cwd=directory, stdout=output, stderr=subprocess.STDOUT
        )
    served = Served(process, ports, log)
    try:
        for api in APIS:
            _wait_until_ready(served, api)
        yield served
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)


def _wait_until_ready(served: Served, api: str) -> None:
    url = f"{served.url(api)}/ready"

    def ready() -> bool:
        if served.process.poll() is not None:
            raise AssertionError(f"`logistics serve` exited early\n{served.output()}")
        try:
            return httpx.get(url, timeout=10).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(ready, within=PROCESS_START, what=f"{url} to answer 200", details=served.output)
