"""The search server the Elasticsearch store's tests run against.

``ELASTICSEARCH_URL`` if set (a real Elasticsearch 8). Otherwise a compatible stand-in,
*not Elasticsearch*: the binary bundled in PyPI's ``noida-db`` (a pinned dev dependency),
which answers Elasticsearch 8's REST API for what our store uses (index, alias and mapping
management, external versions, bulk, bool/term/prefix search with sort and
``track_total_hits``, scroll, most aggregations). One process for the whole test session,
on a free port with a fresh data directory, stopped at its end; it answers within ~0.05 s.
What it does not do is listed in ``STAND_IN_LACKS``.
"""

import shutil
import socket
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from tests.waiting import wait_until

STARTUP = 30.0  # seconds, at most, on a loaded machine

# What Elasticsearch does and the stand-in does not (noida-db 0.2.3): tests that need it are
# marked ``stand_in_lacks(...)`` and are strict expected failures on the stand-in.
STAND_IN_LACKS = {
    "percentiles": "no `percentiles` aggregation (400 parsing_exception)",
    "terms_order_by_metric": (
        "a `terms` aggregation ordered by a metric sub-aggregation comes back by doc count"
    ),
}


@dataclass
class SearchServer:
    url: str
    stand_in: bool


class StandIn:
    """One ``noida-db start --only elasticsearch`` process: the binary itself, run
    directly (not its Python wrapper, which would be a second process to stop)."""

    def __init__(self) -> None:
        self._data = Path(tempfile.mkdtemp(prefix="es-stand-in-"))
        self._log = self._data.with_suffix(".log")
        self._process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        # A free port may be taken before the binary binds it: then it exits, try another.
        for attempt in range(3):
            try:
                self._start_on(_free_port())
                return
            except RuntimeError:
                if attempt == 2:
                    raise

    def _start_on(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        command = [
            str(_binary()),
            *("start", "--only", "elasticsearch", "--elasticsearch-port", str(port)),
            *("--data-dir", str(self._data / "data")),
        ]
        with self._log.open("wb") as output:
            self._process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        wait_until(
            self._answers, within=STARTUP, what=f"the stand-in at {self.url}", details=self.output
        )

    def output(self) -> str:
        return self._log.read_text(errors="replace") if self._log.exists() else ""

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        shutil.rmtree(self._data, ignore_errors=True)
        self._log.unlink(missing_ok=True)

    def _answers(self) -> bool:
        assert self._process is not None
        if self._process.poll() is not None:
            raise RuntimeError(
                f"the stand-in exited with {self._process.returncode}:\n{self.output()}"
            )
        try:
            with urllib.request.urlopen(self.url, timeout=5) as answer:
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False


def _binary() -> Path:
    binary = Path(str(files("noida_db").joinpath("noida-db")))
    if not binary.is_file():
        raise FileNotFoundError(f"no noida-db binary at {binary}")
    return binary


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
