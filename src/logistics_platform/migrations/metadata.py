"""Every table of every context on one ``MetaData``: what the migrations are compared with."""

from logistics_platform.backoffice.infrastructure import tables as _backoffice
from logistics_platform.inventory.infrastructure import tables as _inventory
from logistics_platform.logistics.infrastructure import tables as _logistics
from logistics_platform.shared.infrastructure.persistence import tables as _shared
from logistics_platform.shared.infrastructure.persistence.database import metadata

__all__ = ["metadata"]
_TABLE_MODULES = (_backoffice, _inventory, _logistics, _shared)  # imported for their tables
