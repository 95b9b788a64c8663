import re

import pytest

from logistics_platform.logistics.domain.events import PackageRegistered
from logistics_platform.logistics.domain.package import Package
from logistics_platform.logistics.domain.values import PackageId, PackageStatus, TrackingNumber
from logistics_platform.shared.domain.errors import InvalidArgument


def test_generated_tracking_numbers_are_10_uppercase_letters_or_digits() -> None:
    for _ in range(200):
        assert re.fullmatch(r"[A-Z0-9]{10}", TrackingNumber.generate().value)


def test_generated_tracking_numbers_do_not_repeat() -> None:
    drawn = {TrackingNumber.generate() for _ in range(10_000)}
    assert len(drawn) == 10_000


def test_generated_tracking_numbers_use_the_whole_alphabet() -> None:
    characters = "".join(TrackingNumber.generate().value for _ in range(2_000))
    assert set(characters) == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@pytest.mark.parametrize("text", ["", "AB12CD34E", "AB12CD34EFG", "ab12cd34ef", "AB12-D34EF"])
def test_malformed_tracking_numbers_are_refused(text: str) -> None:
    with pytest.raises(InvalidArgument):
        TrackingNumber(text)


def test_registering_a_package_records_that_it_was_registered() -> None:
    id, number = PackageId.new(), TrackingNumber("AB12CD34EF")
    package = Package.register(id, number, "order-1")
    assert package.status is PackageStatus.REGISTERED
    (event,) = package.pull_domain_events()
    assert isinstance(event, PackageRegistered)
    assert event.to_primitives() == {
        "id": id.value,
        "trackingNumber": "AB12CD34EF",
        "reservationId": "order-1",
        "version": 1,
    }


def test_a_package_ships_a_reservation() -> None:
    with pytest.raises(InvalidArgument):
        Package.register(PackageId.new(), TrackingNumber.generate(), "")
