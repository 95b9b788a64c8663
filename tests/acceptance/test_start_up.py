"""What an operator sees when a process cannot start: one clear line, exit code 1."""

import json
import os
import socket
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.processes import LOGISTICS
from tests.waiting import PROCESS_START


def logistics(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LOG_FORMAT": "json", **env}
    environment.pop("RABBITMQ_URL", None)
    return subprocess.run(
        [LOGISTICS, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=PROCESS_START,
        check=False,
    )


def error_lines(finished: subprocess.CompletedProcess[str]) -> list[dict[str, str]]:
    assert "Traceback" not in finished.stderr + finished.stdout
    lines = [json.loads(line) for line in finished.stderr.splitlines()]  # every one is JSON
    return [line for line in lines if line["level"] == "error"]


def test_a_bad_setting_is_one_line_naming_it(tmp_path: Path) -> None:
    finished = logistics("inventory-api", INVENTORY_PORT="not-a-port", DB_POOL_SIZE="0")
    assert finished.returncode == 1
    (line,) = error_lines(finished)
    assert "INVENTORY_PORT" in line["message"]
    assert "DB_POOL_SIZE" in line["message"]
    assert line["role"] == "inventory-api"
    assert finished.stderr.count("\n") == 1


@pytest.mark.parametrize("command", [["serve"], ["db", "upgrade"]])
def test_an_unreachable_database_is_one_line(command: list[str]) -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    finished = logistics(*command, DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/none")
    assert finished.returncode == 1
    (line,) = error_lines(finished)
    assert "refused" in json.dumps(line).lower()


def test_a_port_in_use_is_named(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        finished = logistics(
            "health-api",
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
            HEALTH_PORT=str(port),
        )
    assert finished.returncode == 1
    reasons = " ".join(json.dumps(line) for line in error_lines(finished))
    assert f"could not start on port {port}" in reasons


def test_version() -> None:
    finished = logistics("--version")
    assert finished.returncode == 0
    assert finished.stdout.strip() == f"logistics {version('logistics-platform')}"


def test_a_role_on_the_sql_read_store_never_imports_the_elasticsearch_client(
    tmp_path: Path,
) -> None:
    code = (
        "import asyncio, sys\n"
        "from logistics_platform.bootstrap import bootstrap\n"
        "from logistics_platform.entrypoints import runner\n"
        "async def main():\n"
        "    platform = await bootstrap(read_store=True)\n"
        "    runner.APIS['backoffice'][1](platform)\n"
        "    await platform.close()\n"
        "asyncio.run(main())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'elasticsearch'))\n"
    )
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'start.db'}"}
    environment.pop("ELASTICSEARCH_URL", None)
    environment.pop("READ_STORE", None)
    imported = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment
    )
    assert imported.stdout.strip() == "[]"
