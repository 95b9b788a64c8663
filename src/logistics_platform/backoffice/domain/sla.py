"""SLA alerts: packages stuck in ``registered`` or ``in_transit`` too long, or failing too
often, as the backoffice sees them from Logistics' events.

A watch is a pure function of the set of facts seen (one per package ``version``), so any
arrival order, with any duplicates, ends in the same watch: the latest version decides the
status; the consecutive versions before it that share that status decide since when.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from logistics_platform.backoffice.domain.events import PackageSlaBreached
from logistics_platform.shared.domain.aggregate import AggregateRoot
from logistics_platform.shared.domain.errors import InvalidArgument


class BreachKind(enum.StrEnum):
    STUCK_REGISTERED = "stuck_registered"
    STUCK_IN_TRANSIT = "stuck_in_transit"
    REPEATED_FAILURES = "repeated_failures"


class Step(enum.StrEnum):
    """A step of a package's life (the verb of its Logistics event)."""

    REGISTERED = "registered"
    DISPATCHED = "dispatched"
    CHECKPOINT_RECORDED = "checkpoint_recorded"
    DELIVERY_FAILED = "delivery_failed"
    DELIVERED = "delivered"
    RETURNED = "returned"
    CANCELLED = "cancelled"

    @property
    def status(self) -> str:
        """The package's status after this step."""
        return _STATUS_AFTER.get(self, self.value)


_STATUS_AFTER = {Step.DISPATCHED: "in_transit", Step.CHECKPOINT_RECORDED: "in_transit"}
TERMINAL = frozenset({"delivered", "returned", "cancelled"})
# The statuses that breach by lasting too long, and the kind each raises.
_TIMED = {"registered": BreachKind.STUCK_REGISTERED, "in_transit": BreachKind.STUCK_IN_TRANSIT}


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """For one moment: a watch whose status began at or before its cutoff is overdue."""

    registered: datetime
    in_transit: datetime  # carriers without a threshold of their own
    in_transit_by_carrier: Mapping[str, datetime]


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    registered_max: timedelta = timedelta(days=1)
    in_transit_max: timedelta = timedelta(days=3)
    in_transit_max_by_carrier: Mapping[str, timedelta] = field(default_factory=dict)
    max_failed_attempts: int = 2

    def __post_init__(self) -> None:
        limits = [self.registered_max, self.in_transit_max]
        if any(
            limit <= timedelta(0) for limit in [*limits, *self.in_transit_max_by_carrier.values()]
        ):
            raise InvalidArgument("SLA thresholds must be positive")
        if self.max_failed_attempts < 1:
            raise InvalidArgument("the failed attempts limit must be 1 or more")

    def threshold(self, status: str, carrier: str | None) -> timedelta | None:
        """How long a package may stay in ``status`` (None: as long as it likes)."""
        if status == "registered":
            return self.registered_max
        if status == "in_transit":
            return self.in_transit_max_by_carrier.get(carrier or "", self.in_transit_max)
        return None

    def cutoffs(self, now: datetime) -> Cutoffs:
        return Cutoffs(
            registered=now - self.registered_max,
            in_transit=now - self.in_transit_max,
            in_transit_by_carrier={c: now - t for c, t in self.in_transit_max_by_carrier.items()},
        )


@dataclass(frozen=True, slots=True)
class PackageFact:
    """One Logistics event: the package's ``version`` after it, and when it happened."""

    version: int
    step: Step
    occurred_on: datetime
    carrier: str | None = None  # on dispatches


@dataclass(frozen=True, slots=True)
class Breach:
    """What is wrong: ``threshold`` for the time-based kinds, None for failures."""

    kind: BreachKind
    status: str
    since: datetime
    threshold: timedelta | None
    failures: int


@dataclass(frozen=True, slots=True)
class SlaWatch:
    """What the backoffice knows of one package's progress, and the kinds of breach it
    raised already. ``revision`` counts its stored changes (optimistic concurrency), not
    the package's versions."""

    package_id: str
    reservation_id: str
    tracking_number: str | None = None
    facts: tuple[PackageFact, ...] = ()  # by version, one per version
    raised: frozenset[BreachKind] = frozenset()
    revision: int = 0

    def observe(self, fact: PackageFact, *, tracking_number: str | None = None) -> "SlaWatch":
        """The watch with ``fact`` known (a version seen before changes nothing)."""
        known = {f.version: f for f in self.facts}
        known.setdefault(fact.version, fact)
        return replace(
            self,
            tracking_number=self.tracking_number or tracking_number,
            facts=tuple(known[v] for v in sorted(known)),
        )

    def having_raised(self, kind: BreachKind) -> "SlaWatch":
        return replace(self, raised=self.raised | {kind})

    @property
    def open_kind(self) -> BreachKind | None:
        """The time-based kind the current status may still raise (what the monitor
        looks for)."""
        kind = _TIMED.get(self.status or "")
        return None if kind is None or kind in self.raised else kind

    @property
    def status(self) -> str | None:
        return self.facts[-1].step.status if self.facts else None

    @property
    def since(self) -> datetime | None:
        """When the current status began: the earliest of the consecutive versions, up to
        the latest, that share it (a gap ends the run: what is missing is not guessed)."""
        if not self.facts:
            return None
        run = self.facts[-1]
        for fact in reversed(self.facts[:-1]):
            if fact.version != run.version - 1 or fact.step.status != run.step.status:
                break
            run = fact
        return run.occurred_on

    @property
    def carrier(self) -> str | None:
        """The carrier of the latest dispatch seen."""
        return next((f.carrier for f in reversed(self.facts) if f.carrier), None)

    @property
    def failures(self) -> tuple[PackageFact, ...]:
        return tuple(f for f in self.facts if f.step is Step.DELIVERY_FAILED)

    def overdue(self, policy: SlaPolicy, now: datetime) -> Breach | None:
        """The time-based breach of the current status at ``now``, unless raised already."""
        status, since, kind = self.status, self.since, self.open_kind
        if status is None or since is None or kind is None:
            return None
        threshold = policy.threshold(status, self.carrier)
        if threshold is None or now - since < threshold:
            return None
        return Breach(kind, status, since, threshold, len(self.failures))

    def failing(self, policy: SlaPolicy) -> Breach | None:
        """The repeated-failures breach, once the limit of failed attempts is reached
        (since the failure that reached it), unless the package's life is over or it was
        raised already."""
        failures, status = self.failures, self.status
        if status is None or status in TERMINAL or len(failures) < policy.max_failed_attempts:
            return None
        if BreachKind.REPEATED_FAILURES in self.raised:
            return None
        since = failures[policy.max_failed_attempts - 1].occurred_on
        return Breach(BreachKind.REPEATED_FAILURES, status, since, None, len(failures))

    def breaches(self, policy: SlaPolicy, now: datetime) -> list[Breach]:
        return [b for b in (self.overdue(policy, now), self.failing(policy)) if b is not None]


class SlaBreach(AggregateRoot):
    """A breach of one kind by one package: raised once (its id is the pair)."""

    def __init__(self, *, watch: SlaWatch, breach: Breach, detected_at: datetime) -> None:
        super().__init__()
        self.watch, self.breach, self.detected_at = watch, breach, detected_at

    @classmethod
    def detect(cls, watch: SlaWatch, breach: Breach, now: datetime) -> "SlaBreach":
        """A new breach, recording ``PackageSlaBreached``."""
        raised = cls(watch=watch, breach=breach, detected_at=now)
        threshold = breach.threshold
        raised.record(
            PackageSlaBreached(
                aggregate_id=watch.package_id,
                reservation_id=watch.reservation_id,
                tracking_number=watch.tracking_number,
                kind=breach.kind.value,
                status=breach.status,
                carrier=watch.carrier,
                since=timestamp(breach.since),
                threshold_seconds=None if threshold is None else threshold.total_seconds(),
                failures=breach.failures,
                detected_at=timestamp(now),
            )
        )
        return raised


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and ``Z``, as the envelope writes moments."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
