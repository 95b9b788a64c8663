"""Low stock as the backoffice follows it: the latest of an item's low-stock and
low-stock-cleared events, by the item's version (an older one never overwrites a newer)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StockLevel:
    """``low``: available fell below ``threshold`` at ``since`` (else it rose back to it)."""

    stock_item_id: str
    low: bool
    available: int
    threshold: int
    since: datetime
    version: int

    def replaces(self, known: "StockLevel | None") -> bool:
        """Whether this level is newer than ``known`` (ties keep the one already known)."""
        return known is None or self.version > known.version
