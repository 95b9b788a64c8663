"""Tracing is off unless TRACING=otel: nothing is stored with the outbox rows, no span is
made, and the SDK is not even imported."""

import subprocess
import sys

from sqlalchemy import text

from logistics_platform.bootstrap import bootstrap
from logistics_platform.config import Settings
from tests.mothers.inventory import a_reservation_of, an_add_stock_item
from tests.spans import recording


async def test_without_tracing_no_context_is_stored_and_no_span_made(database_url: str) -> None:
    with recording() as spans:  # on, as another test may have left it: the settings win
        platform = await bootstrap(Settings(database_url=database_url, rabbitmq_url=None))
        try:
            added = an_add_stock_item(quantity=5)
            await platform.commands.handle(added)
            await platform.commands.handle(a_reservation_of(added.id, quantity=1))
            assert platform.delivery is not None
            assert await platform.delivery.catch_up() > 0
            async with platform.engine.connect() as connection:
                stored = (await connection.execute(text("SELECT trace_context FROM outbox"))).all()
        finally:
            await platform.close()

    assert len(stored) == 3  # added, reserved, and the package registered in reaction
    assert {row.trace_context for row in stored} == {None}
    assert spans.get_finished_spans() == ()


def test_the_platform_imports_no_opentelemetry_unless_tracing() -> None:
    # (FastAPI imports OpenTelemetry's API when it is installed, for its own telemetry,
    # which stays off while no tracer provider is set.)
    code = (
        "import sys\n"
        "LOADED = ('opentelemetry.sdk', 'opentelemetry.instrumentation',"
        " 'logistics_platform.shared.infrastructure.otel')\n"
        "import logistics_platform.bootstrap, logistics_platform.entrypoints.http.apps\n"
        "import logistics_platform.entrypoints.runner\n"
        "print(sorted(m for m in sys.modules if m.startswith(LOADED)))\n"
    )
    imported = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert imported.stdout.strip() == "[]"
