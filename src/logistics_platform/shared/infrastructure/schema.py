"""Every table of every context, gathered on one ``MetaData`` for Alembic."""

from logistics_platform.backoffice.infrastructure import tables as _backoffice
from logistics_platform.inventory.infrastructure import tables as _inventory
from logistics_platform.logistics.infrastructure import tables as _logistics
from logistics_platform.shared.infrastructure import in_process_delivery as _delivery
from logistics_platform.shared.infrastructure import outbox as _outbox
from logistics_platform.shared.infrastructure import unit_of_work as _unit_of_work
from logistics_platform.shared.infrastructure.database import metadata

__all__ = ["metadata"]
_TABLE_MODULES = (_backoffice, _inventory, _logistics, _delivery, _outbox, _unit_of_work)
