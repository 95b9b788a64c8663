"""What every repository port shares: it remembers the aggregates it handed out."""

from logistics_platform.shared.domain.aggregate import AggregateRoot


class Repository:
    """Repositories note each aggregate they add or load, so the unit of work can collect
    the events those aggregates recorded and store them with the change."""

    def __init__(self) -> None:
        self.seen: list[AggregateRoot] = []

    async def flush(self) -> None:
        """Write what was held back; the unit of work calls it just before it commits."""
