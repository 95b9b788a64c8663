"""Moments read back from the database are UTC, whatever the host's zone."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from logistics_platform.shared.infrastructure.persistence.database import as_utc


@pytest.fixture
def host_in_tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_zoneless_moment_is_taken_as_utc_not_as_the_host_s_local_time(
    host_in_tokyo: None,
) -> None:
    stored = datetime(2026, 12, 3, 12, 30)  # as SQLite hands it back

    assert as_utc(stored) == datetime(2026, 12, 3, 12, 30, tzinfo=UTC)


def test_a_moment_with_a_zone_keeps_its_instant_in_utc() -> None:
    berlin = datetime(2026, 12, 3, 13, 30, tzinfo=timezone(timedelta(hours=1)))

    assert as_utc(berlin) == datetime(2026, 12, 3, 12, 30, tzinfo=UTC)
    assert as_utc(berlin).tzinfo is UTC
    assert as_utc(None) is None
