"""The OpenAPI document says what the server does: every failure is a problem+json body
(RFC 9457) with its kind in ``type``, and every operation lists the statuses it can answer.

FastAPI documents a route's success and its own ``{detail: [...]}`` 422; the routes declare
their domain failures (404, 409, …). What every route of a kind can answer — a bad token,
a missing role, a rate limit, an oversized body, a backing service down — is added here,
once, for all of them.
"""

from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

PROBLEM_JSON = "application/problem+json"

_PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {
            "type": "string",
            "description": "The kind of problem, e.g. /problems/insufficient-stock",
            "examples": ["/problems/insufficient-stock"],
        },
        "title": {"type": "string", "examples": ["Insufficient stock"]},
        "status": {"type": "integer", "examples": [409]},
        "detail": {"type": "string"},
        "error": {"type": "string", "description": "The same as detail (the guide's clients)"},
    },
}
_VALIDATION_PROBLEM = {
    "allOf": [
        {"$ref": "#/components/schemas/Problem"},
        {
            "type": "object",
            "properties": {
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string", "examples": ["body.quantity"]},
                            "message": {"type": "string"},
                        },
                    },
                }
            },
        },
    ]
}
_COMMON = {
    "413": "The request body is larger than 1 MiB",
    "503": "A backing service is unreachable right now; retry after Retry-After seconds",
}
_GUARDED = {
    "401": "No valid bearer token (AUTH=jwt); see WWW-Authenticate",
    "403": "The token lacks the role this call needs",
}
_LIMITED = {"429": "Too many calls from this client; retry after Retry-After seconds"}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """A route's own failures for its ``responses=``; :func:`document_problems` gives
    them the problem schema."""
    return {status: {"description": HTTPStatus(status).phrase} for status in statuses}


def app_version() -> str:
    try:
        return version("logistics-platform")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def operation_id(route: APIRoute) -> str:
    """Readable, stable operation ids: the route function's name (``reserve_stock``)."""
    return route.name


def document_problems(app: FastAPI, public: frozenset[str] = frozenset()) -> None:
    """Make ``app.openapi()`` describe every failure as a problem; routes under ``public``
    need no token."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        schemas["Problem"] = _PROBLEM
        schemas["ValidationProblem"] = _VALIDATION_PROBLEM
        for template, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                _complete(operation, public=template in public)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _complete(operation: dict[str, Any], *, public: bool) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if public:
        operation.pop("security", None)
    added = dict(_COMMON)
    if "security" in operation:
        added |= _GUARDED | _LIMITED
    elif public:
        added |= _LIMITED
    if "requestBody" in operation:  # bytes that are not UTF-8 JSON never reach validation
        added["400"] = "The body cannot be read as JSON"
    if "requestBody" in operation or "parameters" in operation:
        added["422"] = "The request is malformed: see errors"
    for status, description in added.items():
        responses.setdefault(status, {"description": description})
    for status, response in responses.items():
        if status.isdigit() and int(status) >= 400:
            schema = "ValidationProblem" if status == "422" else "Problem"
            response["content"] = {
                PROBLEM_JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}
            }
