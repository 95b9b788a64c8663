"""SLA rules: stuck registered, stuck in transit (per carrier), repeated failures; whatever
the order and duplicates of the facts; never once the package's life is over."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics_platform.backoffice.domain.sla import BreachKind, SlaBreach, SlaPolicy, Step
from logistics_platform.shared.domain.errors import InvalidArgument
from tests.mothers.sla import HOUR, T0, life, watched

POLICY = SlaPolicy(
    registered_max=timedelta(hours=24),
    in_transit_max=timedelta(hours=72),
    in_transit_max_by_carrier={"FAST": timedelta(hours=12)},
)
S = Step


def test_a_package_registered_longer_than_the_limit_is_stuck_registered() -> None:
    watch = watched(life())
    assert watch.overdue(POLICY, T0 + 24 * HOUR - timedelta(seconds=1)) is None
    breach = watch.overdue(POLICY, T0 + 24 * HOUR)
    assert breach is not None
    assert (breach.kind, breach.status) == (BreachKind.STUCK_REGISTERED, "registered")
    assert breach.since == T0
    assert breach.threshold == timedelta(hours=24)


def test_in_transit_counts_from_the_dispatch_not_the_checkpoints() -> None:
    watch = watched(life(S.DISPATCHED, S.CHECKPOINT_RECORDED, S.CHECKPOINT_RECORDED))
    dispatched = T0 + HOUR
    assert watch.since == dispatched
    assert watch.overdue(POLICY, dispatched + 71 * HOUR) is None
    breach = watch.overdue(POLICY, dispatched + 72 * HOUR)
    assert breach is not None
    assert breach.kind is BreachKind.STUCK_IN_TRANSIT


def test_a_carrier_with_its_own_limit_is_held_to_it() -> None:
    fast = watched(life(S.DISPATCHED, carrier="FAST"))
    other = watched(life(S.DISPATCHED, carrier="SLOW"))
    later = T0 + HOUR + 12 * HOUR
    breach = fast.overdue(POLICY, later)
    assert breach is not None
    assert breach.threshold == timedelta(hours=12)
    assert other.overdue(POLICY, later) is None


def test_a_second_dispatch_after_a_failure_starts_the_clock_again() -> None:
    watch = watched(life(S.DISPATCHED, S.DELIVERY_FAILED, S.DISPATCHED))
    assert watch.since == T0 + 3 * HOUR
    assert watch.overdue(POLICY, T0 + 3 * HOUR + 71 * HOUR) is None


def test_the_second_failed_attempt_is_a_repeated_failures_breach() -> None:
    once = watched(life(S.DISPATCHED, S.DELIVERY_FAILED, S.DISPATCHED))
    assert once.failing(POLICY) is None
    twice = watched(life(S.DISPATCHED, S.DELIVERY_FAILED, S.DISPATCHED, S.DELIVERY_FAILED))
    breach = twice.failing(POLICY)
    assert breach is not None
    assert (breach.kind, breach.failures, breach.since) == (
        BreachKind.REPEATED_FAILURES, 2, T0 + 4 * HOUR,
    )  # fmt: skip
    assert breach.threshold is None


def test_a_failed_package_waiting_for_its_next_dispatch_is_not_timed() -> None:
    watch = watched(life(S.DISPATCHED, S.DELIVERY_FAILED))
    assert watch.status == "delivery_failed"
    assert watch.overdue(POLICY, T0 + 1000 * HOUR) is None


@pytest.mark.parametrize(
    "steps",
    [
        (S.DISPATCHED, S.DELIVERED),
        (S.DISPATCHED, S.DELIVERY_FAILED, S.RETURNED),
        (S.CANCELLED,),
        (S.DISPATCHED, S.DELIVERY_FAILED, S.DISPATCHED, S.DELIVERY_FAILED, S.RETURNED),
        (S.DISPATCHED, S.DELIVERED, S.RETURNED),
    ],
)
def test_a_package_whose_life_is_over_never_breaches(steps: tuple[Step, ...]) -> None:
    watch = watched(life(*steps))
    assert watch.breaches(POLICY, T0 + 10_000 * HOUR) == []


def test_a_gap_in_the_versions_is_not_guessed_across() -> None:
    facts = life(S.DISPATCHED, S.DELIVERY_FAILED, S.DISPATCHED, S.CHECKPOINT_RECORDED)
    without_the_second_dispatch = [f for f in facts if f.version not in {3, 4}]
    watch = watched(without_the_second_dispatch)
    assert watch.status == "in_transit"
    assert watch.since == T0 + 4 * HOUR  # not the first dispatch's moment


def test_a_kind_raised_already_is_not_raised_again() -> None:
    stuck = watched(life()).having_raised(BreachKind.STUCK_REGISTERED)
    assert stuck.open_kind is None
    assert stuck.overdue(POLICY, T0 + 1000 * HOUR) is None
    dispatched = stuck.observe(life(S.DISPATCHED)[1])
    assert dispatched.open_kind is BreachKind.STUCK_IN_TRANSIT  # another kind is still open
    failing = watched(life(S.DISPATCHED, S.DELIVERY_FAILED, S.DISPATCHED, S.DELIVERY_FAILED))
    assert failing.having_raised(BreachKind.REPEATED_FAILURES).failing(POLICY) is None


def test_only_the_timed_statuses_have_an_open_kind() -> None:
    assert watched(life()).open_kind is BreachKind.STUCK_REGISTERED
    assert watched(life(S.DISPATCHED, S.DELIVERY_FAILED)).open_kind is None
    assert watched(life(S.DISPATCHED, S.DELIVERED)).open_kind is None


def test_the_breach_records_its_event_with_the_packages_details() -> None:
    watch = watched(life(S.DISPATCHED, carrier="FAST"))
    now = T0 + 20 * HOUR
    breach = watch.overdue(POLICY, now)
    assert breach is not None
    (event,) = SlaBreach.detect(watch, breach, now).pull_domain_events()
    assert event.to_primitives() == {
        "id": "p-1",
        "reservationId": "order-p-1",
        "trackingNumber": "ABCDE12345",
        "kind": "stuck_in_transit",
        "status": "in_transit",
        "carrier": "FAST",
        "since": "2026-01-01T01:00:00.000000Z",
        "thresholdSeconds": 43200.0,
        "failures": 0,
        "detectedAt": "2026-01-01T20:00:00.000000Z",
    }


def test_thresholds_must_be_positive_and_the_failure_limit_at_least_one() -> None:
    with pytest.raises(InvalidArgument):
        SlaPolicy(registered_max=timedelta(0))
    with pytest.raises(InvalidArgument):
        SlaPolicy(in_transit_max_by_carrier={"X": timedelta(seconds=-1)})
    with pytest.raises(InvalidArgument):
        SlaPolicy(max_failed_attempts=0)


LIVES = st.sampled_from(
    [
        (),
        (S.DISPATCHED,),
        (S.DISPATCHED, S.CHECKPOINT_RECORDED),
        (S.DISPATCHED, S.DELIVERY_FAILED),
        (S.DISPATCHED, S.DELIVERY_FAILED, S.DISPATCHED, S.DELIVERY_FAILED),
        (S.DISPATCHED, S.DELIVERY_FAILED, S.DISPATCHED, S.CHECKPOINT_RECORDED, S.DELIVERED),
        (S.CANCELLED,),
    ]
)


@given(steps=LIVES, data=st.data())
def test_any_order_with_any_duplicates_ends_in_the_same_watch(
    steps: tuple[Step, ...], data: st.DataObject
) -> None:
    facts = life(*steps)
    shuffled = data.draw(st.permutations(facts + data.draw(st.lists(st.sampled_from(facts)))))
    assert watched(shuffled) == watched(facts)
    now = T0 + data.draw(st.integers(0, 200)) * HOUR
    assert watched(shuffled).breaches(POLICY, now) == watched(facts).breaches(POLICY, now)
