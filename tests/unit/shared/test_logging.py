"""Logged exceptions keep their traceback in both formats, without the frames' locals."""

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from logistics_platform.config import Settings
from logistics_platform.entrypoints.logging import configure_logging, package_version

SECRET = "s3cret-password"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def _fail(password: str) -> None:
    raise ValueError(f"could not connect ({len(password)} characters)")


def _log_failures() -> None:
    try:
        _fail(SECRET)
    except ValueError:
        logging.getLogger("a.library").warning("reader exited", exc_info=True)
        structlog.get_logger("ours").exception("handler failed")


def test_json_lines_carry_the_traceback_as_data(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(log_format="json", log_level="INFO"))
    _log_failures()
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines()]
    assert [line["message"] for line in lines] == ["reader exited", "handler failed"]
    for line in lines:
        (raised,) = line["exception"]
        assert raised["exc_type"] == "ValueError"
        assert [frame["name"] for frame in raised["frames"]][-1] == "_fail"
    assert SECRET not in err


def test_the_console_shows_the_traceback_without_locals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(Settings(log_format="console", log_level="INFO"))
    _log_failures()
    err = capsys.readouterr().err
    assert err.count("ValueError") >= 2
    assert "_fail" in err
    assert SECRET not in err


def test_json_lines_carry_what_an_operator_filters_on(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(log_format="json", log_level="INFO"), role="relay")
    with structlog.contextvars.bound_contextvars(correlation_id="req-42"):
        structlog.get_logger("logistics_platform.somewhere").info("batch relayed", count=3)
    logging.getLogger("a.library").warning("plain stdlib line")
    first, second = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert first["message"] == "batch relayed"
    assert first["level"] == "info"
    assert first["logger"] == "logistics_platform.somewhere"
    assert first["role"] == second["role"] == "relay"
    assert first["version"] == second["version"] == package_version() != "unknown"
    assert first["correlation_id"] == "req-42"
    assert first["timestamp"].endswith("Z")
    assert (second["logger"], second["level"]) == ("a.library", "warning")


def test_the_console_writes_no_colour_codes_into_a_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(Settings(log_format="console", log_level="INFO"))
    structlog.get_logger("ours").warning("something to see", count=1)
    err = capsys.readouterr().err
    assert "something to see" in err
    assert "\x1b[" not in err
