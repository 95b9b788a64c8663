"""X-Correlation-Id: a sensible token is kept; anything else is replaced by a new id."""

import uuid

import pytest

from logistics_platform.entrypoints.http.access_log import correlation_id


@pytest.mark.parametrize(
    "given",
    ["c0ffee00-0000-4000-8000-000000000000", "req-42", "gw:abc.DEF_9", "x" * 128],
)
def test_a_sensible_token_is_kept(given: str) -> None:
    assert correlation_id(given.encode()) == given


@pytest.mark.parametrize(
    "given",
    [None, b"", b"x" * 129, b"has space", b"new\nline", b"-leading-dash", "caf\u00e9".encode()],
)
def test_anything_else_is_replaced_by_a_new_uuid(given: bytes | None) -> None:
    made_up = correlation_id(given)
    assert str(uuid.UUID(made_up)) == made_up
    assert correlation_id(given) != made_up, "a new one each time"
