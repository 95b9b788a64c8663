"""Where `serve` delivers the events: in a second process, unless it cannot or is told not to."""

import pytest

from logistics_platform.config import Settings
from logistics_platform.entrypoints.delivery_process import runs_apart


@pytest.mark.parametrize(
    ("settings", "apart"),
    [
        (Settings(database_url="sqlite:///var/logistics.db"), True),
        (Settings(database_url="postgresql://postgres@127.0.0.1/logistics"), True),
        (Settings(database_url="sqlite:///var/logistics.db", delivery_process=False), False),
        (Settings(database_url="sqlite+aiosqlite:///:memory:"), False),  # not shared
        (Settings(database_url="sqlite:///x.db", rabbitmq_url="amqp://localhost"), False),
    ],
    ids=["sqlite file", "postgresql", "turned off", "sqlite in memory", "rabbitmq"],
)
def test_serve_delivers_apart_on_a_database_two_processes_share(
    settings: Settings, apart: bool
) -> None:
    assert runs_apart(settings) is apart
