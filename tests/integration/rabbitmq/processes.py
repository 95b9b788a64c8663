"""Running the platform's processes (``logistics ...``) as separate OS processes."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from logistics_platform.config import Settings

LOGISTICS = [sys.executable, "-c", "from logistics_platform.entrypoints.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL: no cleanup, no goodbye to the broker or the database."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)


@dataclass
class Processes:
    """Starts processes with the test's environment; stops them all at the end."""

    environment: dict[str, str]
    directory: Path
    started: list[Process] = field(default_factory=list)

    def logistics(self, name: str, *args: str, **env: str) -> Process:
        return self.command(name, [*LOGISTICS, *args], **env)

    def command(self, name: str, argv: list[str], **env: str) -> Process:
        log = self.directory / f"{name}.log"
        popen = subprocess.Popen(
            argv,
            env={**self.environment, **env},
            cwd=self.directory,  # no stray .env file gets read
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        process = Process(name, popen, log)
        self.started.append(process)
        return process

    async def wait_for_http(self, process: Process, port: int, within: float = 60) -> str:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=1) as client:
            while time.monotonic() < deadline:
                if process.popen.poll() is not None:
                    raise AssertionError(f"{process.name} exited\n{self.logs()}")
                try:
                    if (await client.get(f"{url}/health")).status_code == 200:
                        return url
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"{process.name} did not answer on {url}\n{self.logs()}")

    async def complete(self, *args: str, within: float = 30) -> tuple[int, str]:
        """Run ``logistics *args`` to its end; its exit code and output."""
        process = await asyncio.create_subprocess_exec(
            *LOGISTICS,
            *args,
            env={**self.environment, "COLUMNS": "300"},
            cwd=self.directory,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), within)
        assert process.returncode is not None
        return process.returncode, output.decode(errors="replace")

    def stop_all(self) -> None:
        for process in self.started:
            if process.popen.poll() is None:
                process.popen.terminate()
        for process in self.started:
            try:
                process.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    def logs(self, tail: int = 40) -> str:
        parts = []
        for process in self.started:
            lines = process.log.read_text(errors="replace").splitlines()[-tail:]
            parts.append(f"--- {process.name} (exit {process.popen.poll()})\n" + "\n".join(lines))
        return "\n".join(parts)


def environment(settings: Settings) -> dict[str, str]:
    """This process's environment (PATH, PYTHONPATH...), where ``settings`` replace every
    setting of the platform the developer's shell may have."""
    fields = Settings.model_fields
    inherited = {k: v for k, v in os.environ.items() if k.lower() not in fields}
    given = settings.model_dump(exclude_none=True)
    return {**inherited, **{name.upper(): str(value) for name, value in given.items()}}
