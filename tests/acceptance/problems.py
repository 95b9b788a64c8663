"""What every error answer of the APIs looks like: an RFC 9457 problem document."""

from typing import Any


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["error"] == body["detail"]
    assert "Traceback" not in response.text
    return body
