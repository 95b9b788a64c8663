"""`logistics serve` as a real process on free ports and a fresh SQLite file, for tests that
need a browser or a signal: the platform as an operator runs it."""

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.processes import Processes, free_port

APIS = ("inventory", "backoffice", "health", "logistics")


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    ports: dict[str, int]
    database: Path
    log: Path

    def url(self, api: str) -> str:
        return f"http://127.0.0.1:{self.ports[api]}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serve(directory: Path, **environment: str) -> Iterator[Served]:
    """`logistics serve` until the block ends (killed then, if still running)."""
    ports = {api: free_port() for api in APIS}
    database = directory / "serve.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        **{f"{api.upper()}_PORT": str(port) for api, port in ports.items()},
        "LOG_FORMAT": "json",
        "RATE_LIMIT": "none",
        **environment,
    }
    for unset in ("RABBITMQ_URL", "ELASTICSEARCH_URL", "READ_STORE"):
        if unset not in environment:
            env.pop(unset, None)
    processes = Processes(env, directory)
    process = processes.logistics("serve", "serve")
    try:
        for port in ports.values():
            processes.wait_for_http_blocking(process, port)
        yield Served(process.popen, ports, database, process.log)
    finally:
        process.kill()
