"""Schemathesis hooks for the contract test (loaded through SCHEMATHESIS_HOOKS).

An Idempotency-Key names one request: the same key with another request is a 422 by
design (the IETF draft), which no OpenAPI schema can state. Schemathesis draws keys from
the header's schema with a fixed seed and reuses them across requests (every phase), so
the optional header is left out of the document it tests; its rules (400, 409, 422,
replays) are tested in tests/acceptance/test_package_lifecycle.py.
"""

from typing import Any

import schemathesis

HEADER = "Idempotency-Key"


@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    for operations in raw_schema.get("paths", {}).values():
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            operation["parameters"] = [p for p in parameters if p.get("name") != HEADER]
