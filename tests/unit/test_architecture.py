"""The layering rules of docs/adr/0001, checked on the source."""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "logistics_platform"
TESTS = ROOT / "tests"
CONTEXTS = ("inventory", "logistics", "backoffice")
_STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}


def imports_of(path: Path) -> set[str]:
    """The modules ``path`` imports, and each name it takes from one as ``module.name``;
    a relative import keeps its leading dots."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            joint = "" if module.endswith(".") else "."
            found.add(module)
            found.update(f"{module}{joint}{alias.name}" for alias in node.names)
    return found


def modules_under(*parts: str) -> list[Path]:
    return sorted((PACKAGE.joinpath(*parts)).rglob("*.py"))


@pytest.mark.parametrize("context", [*CONTEXTS, "shared"])
def test_the_domain_imports_only_the_standard_library_and_the_shared_kernel(context: str) -> None:
    allowed_own = ("logistics_platform.shared.domain", f"logistics_platform.{context}.domain")
    offenders = {
        f"{path.relative_to(PACKAGE)}: {module}"
        for path in modules_under(context, "domain")
        for module in imports_of(path)
        if module.split(".")[0] not in _STDLIB and not module.startswith(allowed_own)
    }
    assert not offenders


@pytest.mark.parametrize("context", CONTEXTS)
def test_a_context_never_imports_another_context(context: str) -> None:
    others = tuple(f"logistics_platform.{other}" for other in CONTEXTS if other != context)
    offenders = {
        f"{path.relative_to(PACKAGE)}: {module}"
        for path in modules_under(context)
        for module in imports_of(path)
        if module.startswith(others)
    }
    assert not offenders


def test_the_application_layer_does_not_depend_on_web_or_database_frameworks() -> None:
    frameworks = ("fastapi", "sqlalchemy", "aio_pika", "asyncpg", "elasticsearch", "pydantic")
    offenders = {
        f"{path.relative_to(PACKAGE)}: {module}"
        for context in (*CONTEXTS, "shared")
        for path in modules_under(context, "application")
        for module in imports_of(path)
        if module.startswith(frameworks)
    }
    assert not offenders


def test_the_shared_kernel_imports_no_context_nor_the_composition_root() -> None:
    forbidden = (
        *(f"logistics_platform.{context}" for context in CONTEXTS),
        "logistics_platform.bootstrap",
        "logistics_platform.entrypoints",
        "logistics_platform.migrations",
    )
    offenders = {
        f"{path.relative_to(PACKAGE)}: {module}"
        for path in modules_under("shared")
        for module in imports_of(path)
        if module.startswith(forbidden)
    }
    assert not offenders


@pytest.mark.parametrize("context", [*CONTEXTS, "shared"])
def test_the_application_layer_imports_no_infrastructure(context: str) -> None:
    offenders = {
        f"{path.relative_to(PACKAGE)}: {module}"
        for path in modules_under(context, "application")
        for module in imports_of(path)
        if ".infrastructure" in module or module.startswith("logistics_platform.entrypoints")
    }
    assert not offenders


def test_no_test_module_imports_another() -> None:
    # What tests share lives in helper modules: tests/mothers, tests/fakes, conftest.py, ….
    offenders = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted(TESTS.rglob("test_*.py"))
        for module in imports_of(path)
        if module.startswith((".", "tests.")) and module.rsplit(".", 1)[-1].startswith("test_")
    }
    assert not offenders
