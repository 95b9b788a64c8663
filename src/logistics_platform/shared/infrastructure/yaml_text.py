"""JSON-shaped data as block-style YAML, for documents people read (docs/asyncapi.yaml).

A few lines instead of a YAML library: the data is JSON's (mappings, lists, strings,
numbers, booleans, null), and any string that could read as something else is written
as a JSON string, which is also a valid YAML double-quoted scalar.
"""

import json
import math
import re
from collections.abc import Iterator
from typing import Any

# No indicator YAML reads specially (":", "#", quotes, brackets...), no space at an end.
_PLAIN = re.compile(r"[A-Za-z_$/]([A-Za-z0-9_.$/ ,()`-]*[A-Za-z0-9_.$/)`-])?")
# Characters JSON leaves as they are but YAML refuses or reads as line breaks.
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# Words YAML 1.1 readers (PyYAML among them) take for booleans or null.
_RESERVED = frozenset({"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"})


def to_yaml(value: Any) -> str:
    lines = _lines(value, "") if _is_nested(value) else [_scalar(value)]
    return "\n".join(lines) + "\n"


def _lines(value: Any, indent: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if _is_nested(item):
                yield f"{indent}{_scalar(key)}:"
                yield from _lines(item, indent + "  ")
            else:
                yield f"{indent}{_scalar(key)}: {_scalar(item)}"
    else:
        for item in value:
            if _is_nested(item):
                first, *rest = _lines(item, indent + "  ")
                yield f"{indent}- {first.lstrip()}"
                yield from rest
            else:
                yield f"{indent}- {_scalar(item)}"


def _is_nested(value: Any) -> bool:
    return isinstance(value, dict | list) and len(value) > 0


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        if _PLAIN.fullmatch(value) and value.lower() not in _RESERVED:
            return value
        quoted = json.dumps(value, ensure_ascii=False)
        return _UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)
    if isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"JSON has no {value}")
        text = json.dumps(value)
        # YAML 1.1 (PyYAML) reads "1e+16" as a string: give the mantissa a point.
        return text.replace("e", ".0e", 1) if "e" in text and "." not in text else text
    return json.dumps(value)
