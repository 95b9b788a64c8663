"""A stock item's figures as the backoffice follows them: sums of the changes Inventory's
events announce, so that any arrival order (each event applied once) ends in the same sums.

Inventory's invariant, kept by every change: units received (added, replenished, counted)
= available + reserved + shipped, and on hand = available + reserved (units in the
warehouse). So committing a reservation takes its units off hand (they left with the
package) and into shipped; restocking a returned package brings them back on hand, as
available.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StockUnits:
    """Units available, reserved and shipped: what one event changed (each may go up or
    down), or the sum of every change so far."""

    available: int = 0
    reserved: int = 0
    shipped: int = 0

    @property
    def on_hand(self) -> int:
        return self.available + self.reserved

    def __add__(self, other: "StockUnits") -> "StockUnits":
        return StockUnits(
            available=self.available + other.available,
            reserved=self.reserved + other.reserved,
            shipped=self.shipped + other.shipped,
        )

    @classmethod
    def received(cls, quantity: int) -> "StockUnits":
        """Added or replenished: new units, available."""
        return cls(available=quantity)

    @classmethod
    def counted(cls, delta: int) -> "StockUnits":
        """A count moved on hand by ``delta``; what is reserved stays reserved."""
        return cls(available=delta)

    @classmethod
    def reserved_units(cls, quantity: int) -> "StockUnits":
        return cls(available=-quantity, reserved=quantity)

    @classmethod
    def given_back(cls, quantity: int) -> "StockUnits":
        """A reservation released or expired: its units are available again."""
        return cls(available=quantity, reserved=-quantity)

    @classmethod
    def committed(cls, quantity: int) -> "StockUnits":
        """The package left: reserved units are shipped (off hand)."""
        return cls(reserved=-quantity, shipped=quantity)

    @classmethod
    def restocked(cls, quantity: int) -> "StockUnits":
        """A returned package's units are back on hand, available."""
        return cls(available=quantity, shipped=-quantity)


@dataclass(frozen=True, slots=True)
class StockItemFigures:
    """One stock item as the catalog knows it: what it is, and its stock."""

    stock_item_id: str
    name: str
    warehouse: str | None
    sku: str | None
    low_stock_threshold: int
    stock: StockUnits

    @property
    def on_hand(self) -> int:
        return self.stock.on_hand

    @property
    def available(self) -> int:
        return self.stock.available

    @property
    def reserved(self) -> int:
        return self.stock.reserved

    @property
    def shipped(self) -> int:
        return self.stock.shipped

    @property
    def low(self) -> bool:
        """Available below the threshold (Inventory's own rule for low stock)."""
        return self.stock.available < self.low_stock_threshold
