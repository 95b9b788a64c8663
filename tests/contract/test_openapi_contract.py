"""Each API does what its OpenAPI document says, checked by Schemathesis with every check
(status codes, content types, response schemas, headers, auth, stateful links, negative
data...) on generated requests: on the embedded default and on PostgreSQL, with auth on.

At least 1,000 generated cases per API. A failure prints Schemathesis' report: each
problem with a curl line to reproduce it.
"""

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from logistics_platform.config import Settings
from logistics_platform.entrypoints.http.auth import mint_token
from tests.processes import Processes, environment, free_port
from tests.services import fresh_postgres_database

SECRET = "a-contract-test-secret-long-enough-for-hs256"
SCHEMATHESIS = str(Path(sys.executable).with_name("st"))
HOOKS = str(Path(__file__).with_name("hooks.py"))  # unique Idempotency-Keys; see there
APIS = ("inventory", "logistics", "backoffice", "health")
MIN_CASES = 1_000
# Examples per operation and phase, so that each API gets its 1,000 cases and no more
# (the fewer its operations, the more each needs). The Health service's operations take
# no input at all: Schemathesis can only send each of them as it is.
EXAMPLES = {"inventory": "90", "logistics": "60", "backoffice": "180", "health": "20"}
WITHOUT_INPUT = {"health"}
# Checks left out, each with its reason:
EXCLUDED_CHECKS: dict[str, str] = {}


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'contract.db'}"
        return
    async with fresh_postgres_database() as url:
        yield url


@pytest.mark.system
@pytest.mark.timeout(1200)  # thousands of generated requests on a shared machine
async def test_every_api_keeps_its_openapi_contract(database: str, tmp_path: Path) -> None:
    ports = {api: free_port() for api in APIS}
    settings = Settings(
        database_url=database,
        auth="jwt",
        jwt_secret=SECRET,
        rate_limit="none",  # thousands of calls from one client, on purpose
        public_rate_limit="none",
        # Nothing answers DNS here, so every public host would be refused as unresolvable:
        # the receiver checks by address are tested in tests/acceptance/test_webhooks.py.
        webhook_allow_private_networks=True,
        log_level="WARNING",
    )
    processes = Processes(environment(settings), tmp_path)
    try:
        serve = processes.logistics(
            "serve", "serve", **{f"{api.upper()}_PORT": str(port) for api, port in ports.items()}
        )
        for port in ports.values():
            await processes.wait_for_http(serve, port)
        token = mint_token(settings, ["admin"], subject="schemathesis", ttl_seconds=3600)
        runs = await asyncio.gather(
            *(_schemathesis(api, port, token, tmp_path) for api, port in ports.items())
        )
    finally:
        processes.stop_all()
    failed = [f"--- {api}\n{output}" for api, code, output, _ in runs if code != 0]
    assert not failed, "\n".join(failed) + processes.logs()
    print({api: cases for api, _, _, cases in runs})  # shown with -rP, and on failure
    for api, _, output, cases in runs:
        if api not in WITHOUT_INPUT:
            assert cases >= MIN_CASES, f"{api}: only {cases} cases generated\n{output}"


async def _schemathesis(api: str, port: int, token: str, report: Path) -> tuple[str, int, str, int]:
    command = [
        SCHEMATHESIS,
        "run",
        f"http://127.0.0.1:{port}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        EXAMPLES[api],
        "--seed",
        "20261203",
        "--no-color",
        "--header",
        f"Authorization: Bearer {token}",
        "--request-timeout",
        "30",
        # A conformance test, not a benchmark: on a CI box running other suites beside it
        # an answer may wait long for a core (speed is measured under bench/).
        "--max-response-time",
        "30",
        "--report-dir",
        str(report / f"schemathesis-{api}"),
    ]
    if EXCLUDED_CHECKS:
        command += ["--exclude-checks", ",".join(EXCLUDED_CHECKS)]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "SCHEMATHESIS_HOOKS": HOOKS},
    )
    output, _ = await asyncio.wait_for(process.communicate(), 1200)
    text = output.decode(errors="replace")
    generated = re.search(r"(\d+) generated", text)
    assert process.returncode is not None
    return api, process.returncode, text, int(generated.group(1)) if generated else 0
