"""SPEC §6: every allowed and every refused transition of a package."""

import pytest

from logistics_platform.logistics.domain import events
from logistics_platform.logistics.domain.package import IllegalTransition
from logistics_platform.logistics.domain.values import PackageStatus
from logistics_platform.shared.domain.errors import Conflict, InvalidArgument
from tests.mothers.logistics import apply, package_in, registered_package

S = PackageStatus
COMMANDS = ("dispatch", "checkpoint", "deliver", "fail", "return", "cancel")
# The table of SPEC §6: (from, command) -> to, and the event each records.
ALLOWED = {
    (S.REGISTERED, "dispatch"): (S.IN_TRANSIT, events.PackageDispatched),
    (S.REGISTERED, "cancel"): (S.CANCELLED, events.PackageCancelled),
    (S.IN_TRANSIT, "checkpoint"): (S.IN_TRANSIT, events.PackageCheckpointRecorded),
    (S.IN_TRANSIT, "deliver"): (S.DELIVERED, events.PackageDelivered),
    (S.IN_TRANSIT, "fail"): (S.DELIVERY_FAILED, events.PackageDeliveryFailed),
    (S.DELIVERY_FAILED, "dispatch"): (S.IN_TRANSIT, events.PackageDispatched),
    (S.DELIVERY_FAILED, "return"): (S.RETURNED, events.PackageReturned),
    (S.DELIVERED, "return"): (S.RETURNED, events.PackageReturned),
}
REFUSED = [(s, c) for s in PackageStatus for c in COMMANDS if (s, c) not in ALLOWED]


@pytest.mark.parametrize(("status", "command"), list(ALLOWED))
def test_an_allowed_transition_moves_the_package_and_records_one_event(
    status: PackageStatus, command: str
) -> None:
    package = package_in(status)
    version, entries = package.version, len(package.history)

    apply(package, command)

    to, event_class = ALLOWED[status, command]
    (event,) = package.pull_domain_events()
    assert package.status is to
    assert isinstance(event, event_class)
    assert package.version == event.version == version + 1  # type: ignore[attr-defined]
    assert event.reservation_id == package.reservation_id  # type: ignore[attr-defined]
    assert len(package.history) == entries + 1
    assert package.history[-1].status is to
    assert package.history[-1].occurred_on == event.occurred_on == package.updated_at


@pytest.mark.parametrize(("status", "command"), REFUSED)
def test_a_refused_transition_names_the_current_status_and_changes_nothing(
    status: PackageStatus, command: str
) -> None:
    package = package_in(status)
    before = (package.status, package.version, list(package.history), package.attempts)

    with pytest.raises(IllegalTransition) as refused:
        apply(package, command)

    assert isinstance(refused.value, Conflict)
    assert refused.value.title == "Illegal transition"
    assert f"'{status.value}'" in refused.value.message
    assert (package.status, package.version, package.history, package.attempts) == before
    assert package.pull_domain_events() == []


def test_returned_and_cancelled_are_final() -> None:
    for status in (S.RETURNED, S.CANCELLED):
        assert not [c for c in COMMANDS if (status, c) in ALLOWED]


def test_a_new_package_is_version_1_with_its_registration_in_the_history() -> None:
    package = registered_package()
    (registered,) = package.pull_domain_events()
    assert package.version == 1
    assert package.attempts == 0
    assert package.carrier is None
    assert package.last_location is None
    assert [entry.status for entry in package.history] == [S.REGISTERED]
    assert package.created_at == package.updated_at == registered.occurred_on


def test_each_dispatch_counts_an_attempt_and_names_carrier_and_location() -> None:
    package = package_in(S.DELIVERY_FAILED)
    package.dispatch(carrier="  UPS ", location="Depot 7")
    (dispatched,) = package.pull_domain_events()
    assert isinstance(dispatched, events.PackageDispatched)
    assert (dispatched.carrier, dispatched.location, dispatched.attempt) == ("UPS", "Depot 7", 2)
    assert (package.carrier, package.last_location, package.attempts) == ("UPS", "Depot 7", 2)


def test_a_checkpoint_moves_the_last_location_and_keeps_the_status() -> None:
    package = package_in(S.IN_TRANSIT)
    package.record_checkpoint(location="Hub Kassel", note=None)
    assert (package.status, package.last_location) == (S.IN_TRANSIT, "Hub Kassel")
    assert (package.history[-1].location, package.history[-1].note) == ("Hub Kassel", None)


def test_delivery_without_a_location_keeps_the_last_one() -> None:
    package = package_in(S.IN_TRANSIT)
    package.deliver(signed_by="B. Signer", location=None)
    assert package.last_location == "Warehouse MAIN"
    assert package.history[-1].note == "signed by B. Signer"


@pytest.mark.parametrize(
    ("command", "arguments"),
    [
        ("dispatch", {"carrier": "", "location": "x"}),
        ("dispatch", {"carrier": "x" * 51, "location": "x"}),
        ("dispatch", {"carrier": "DHL", "location": "x" * 101}),
        ("dispatch", {"carrier": "DHL", "location": "a\x00b"}),
        ("record_checkpoint", {"location": " ", "note": None}),
        ("record_checkpoint", {"location": "x", "note": "n" * 501}),
        ("deliver", {"signed_by": "", "location": None}),
        ("deliver", {"signed_by": "x" * 101, "location": None}),
        ("fail", {"reason": "", "location": None}),
        ("fail", {"reason": "r" * 501, "location": None}),
        ("return_to_sender", {"reason": "   "}),
        ("cancel", {"reason": "r" * 501}),
    ],
)
def test_bad_text_is_refused_before_anything_changes(
    command: str, arguments: dict[str, object]
) -> None:
    status = {"dispatch": S.REGISTERED, "return_to_sender": S.DELIVERED, "cancel": S.REGISTERED}
    package = package_in(status.get(command, S.IN_TRANSIT))
    version = package.version
    with pytest.raises(InvalidArgument):
        getattr(package, command)(**arguments)
    assert package.version == version
    assert package.pull_domain_events() == []


def test_bad_text_on_an_illegal_transition_is_still_a_conflict_about_the_status() -> None:
    package = package_in(S.RETURNED)
    with pytest.raises(IllegalTransition):
        package.dispatch(carrier="", location="")


def test_a_cancellation_may_go_without_a_reason() -> None:
    package = registered_package()
    package.cancel(reason=None)
    assert package.status is S.CANCELLED


def test_a_refused_cancellation_is_recorded_once_and_keeps_the_status() -> None:
    package = package_in(S.IN_TRANSIT)

    package.refuse_cancellation("reservation order-1 was released")
    package.refuse_cancellation("reservation order-1 was released")

    (refused,) = package.pull_domain_events()
    assert isinstance(refused, events.PackageCancellationRefused)
    assert (refused.status, refused.version) == ("in_transit", package.version)
    assert package.status is S.IN_TRANSIT
    assert package.cancellation_refused == "reservation order-1 was released"
    assert package.history[-1].note == "cancellation refused: reservation order-1 was released"
