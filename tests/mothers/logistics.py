"""Packages in the states the lifecycle tests start from."""

from logistics_platform.logistics.domain.package import (
    Package,
    PackageId,
    PackageStatus,
    TrackingNumber,
)

# The commands that bring a registered package into each status.
_PATH_TO: dict[PackageStatus, tuple[str, ...]] = {
    PackageStatus.REGISTERED: (),
    PackageStatus.IN_TRANSIT: ("dispatch",),
    PackageStatus.DELIVERED: ("dispatch", "deliver"),
    PackageStatus.DELIVERY_FAILED: ("dispatch", "fail"),
    PackageStatus.RETURNED: ("dispatch", "deliver", "return"),
    PackageStatus.CANCELLED: ("cancel",),
}


def registered_package(reservation_id: str = "order-1") -> Package:
    return Package.register(PackageId.random(), TrackingNumber.generate(), reservation_id)


def apply(package: Package, command: str) -> None:
    """Run one lifecycle command with plausible arguments."""
    match command:
        case "dispatch":
            package.dispatch(carrier="DHL", location="Warehouse MAIN")
        case "checkpoint":
            package.record_checkpoint(location="Hub Leipzig", note="sorted")
        case "deliver":
            package.deliver(signed_by="A. Customer", location="Front door")
        case "fail":
            package.fail(reason="nobody home", location="Front door")
        case "return":
            package.return_to_sender(reason="refused by customer")
        case "cancel":
            package.cancel(reason="customer changed their mind")
        case _:
            raise ValueError(command)


def package_in(status: PackageStatus) -> Package:
    """A package that reached ``status`` the usual way, its events pulled already."""
    package = registered_package()
    for command in _PATH_TO[status]:
        apply(package, command)
    package.pull_domain_events()
    return package
