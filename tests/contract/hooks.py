"""Schemathesis hooks for the contract test (loaded through SCHEMATHESIS_HOOKS).

An Idempotency-Key names one request: the same key with another request is a 422 by
design (the IETF draft), which no OpenAPI schema can state. Schemathesis draws keys from
the header's schema and reuses them across requests, so each well-formed key gets a
suffix unique to its case; malformed keys stay as drawn and must still be refused.
"""

import re
import uuid
from typing import Any

import schemathesis

from logistics_platform.entrypoints.http.idempotency import KEY_PATTERN, MAX_KEY_LENGTH

_SUFFIX = 33  # "-" and 32 hex digits


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    if not headers:
        return headers
    for name, value in headers.items():
        if name.lower() == "idempotency-key" and _well_formed(value):
            headers[name] = f"{value[: MAX_KEY_LENGTH - _SUFFIX]}-{uuid.uuid4().hex}"
    return headers


def _well_formed(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= MAX_KEY_LENGTH
        and bool(re.fullmatch(KEY_PATTERN, value))
    )
