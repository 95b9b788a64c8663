"""Running the platform's processes (``logistics ...``) as separate OS processes: the
RabbitMQ, contract and embedded end-to-end tests' helper, and ``tests/served.py``'s."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pydantic import SecretStr

from logistics_platform.config import Settings
from tests.waiting import PROCESS_START, eventually, wait_until

LOGISTICS = str(Path(sys.executable).with_name("logistics"))  # the console script, as deployed


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
        self.popen.wait(timeout=60)


@dataclass
class Processes:
    """Starts processes with the test's environment; stops them all at the end."""

    environment: dict[str, str]
    directory: Path
    started: list[Process] = field(default_factory=list)

    def logistics(self, name: str, *args: str, **env: str) -> Process:
        return self.command(name, [LOGISTICS, *args], **env)

    def command(self, name: str, argv: list[str], **env: str) -> Process:
        log = self.directory / f"{name}.log"
        with log.open("wb") as output:  # the child has its own copy of the file descriptor
            popen = subprocess.Popen(
                argv,
                env={**self.environment, **env},
                cwd=self.directory,  # no stray .env file gets read
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        process = Process(name, popen, log)
        self.started.append(process)
        return process

    async def wait_for_http(
        self, process: Process, port: int, within: float = PROCESS_START
    ) -> str:
        """The URL of ``process``'s API on ``port``, once it answers ``/ready`` (listening,
        its database reachable)."""
        url = f"http://127.0.0.1:{port}"
        await eventually(
            lambda: asyncio.to_thread(self._ready, process, url),
            within=within,
            what=f"{process.name} ready on {url}",
            details=self.logs,
        )
        return url

    def wait_for_http_blocking(
        self, process: Process, port: int, within: float = PROCESS_START
    ) -> str:
        """:meth:`wait_for_http` for synchronous tests (Playwright's own loop forbids one)."""
        url = f"http://127.0.0.1:{port}"
        wait_until(
            lambda: self._ready(process, url),
            within=within,
            what=f"{process.name} ready on {url}",
            details=self.logs,
        )
        return url

    def _ready(self, process: Process, url: str) -> bool:
        self._assert_running(process)
        try:
            return httpx.get(f"{url}/ready", timeout=10).status_code == 200
        except httpx.TransportError:
            return False

    async def wait_for_log(
        self, process: Process, marker: str, within: float = PROCESS_START
    ) -> None:
        """Until ``process`` has logged ``marker`` (e.g. that it is consuming)."""

        async def logged() -> bool:
            self._assert_running(process)
            return marker in await asyncio.to_thread(process.log.read_text, errors="replace")

        await eventually(
            logged, within=within, what=f"{process.name} to log {marker!r}", details=self.logs
        )

    def _assert_running(self, process: Process) -> None:
        if process.popen.poll() is not None:
            raise AssertionError(f"{process.name} exited early\n{self.logs()}")

    async def complete(self, *args: str, within: float = PROCESS_START) -> tuple[int, str]:
        """Run ``logistics *args`` to its end; its exit code and output."""
        process = await asyncio.create_subprocess_exec(
            LOGISTICS,
            *args,
            env={**self.environment, "COLUMNS": "300"},
            cwd=self.directory,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            output, _ = await asyncio.wait_for(process.communicate(), within)
        except TimeoutError:
            command = " ".join(args)
            raise AssertionError(f"`logistics {command}` did not end within {within:g} s") from None
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert process.returncode is not None
        return process.returncode, output.decode(errors="replace")

    def stop_all(self) -> None:
        for process in self.started:
            if process.popen.poll() is None:
                process.popen.terminate()
        for process in self.started:
            try:
                process.popen.wait(timeout=30)
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
    return {**inherited, **{name.upper(): _text(value) for name, value in given.items()}}


def _text(value: object) -> str:
    """A setting as its environment variable spells it (a secret as itself, not ``***``)."""
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)
