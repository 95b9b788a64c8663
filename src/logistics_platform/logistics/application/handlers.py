"""Logistics use cases, each run in a unit of work the command bus opens and commits,
each answering the package as it left it (what the API answers, without reading it again).

A step beaten by a concurrent one on the same package fails its version check; the bus
runs it again on what won, where it is usually no longer allowed: ``IllegalTransition``
(409) naming the status the winner left."""

import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from logistics_platform.logistics.application.commands import (
    CancelPackage,
    DeliverPackage,
    DispatchPackage,
    FailDelivery,
    PackageCommand,
    RecordCheckpoint,
    ReturnPackage,
)
from logistics_platform.logistics.application.summaries import PackageSummary
from logistics_platform.logistics.application.unit_of_work import LogisticsUnitOfWork
from logistics_platform.logistics.domain.package import Package
from logistics_platform.logistics.domain.values import PackageId
from logistics_platform.shared.domain.errors import InvalidArgument


async def _package(package_id: str, uow: LogisticsUnitOfWork) -> Package:
    return await uow.packages.get(PackageId(package_id))


async def dispatch_package(command: DispatchPackage, uow: LogisticsUnitOfWork) -> PackageSummary:
    package = await _package(command.package_id, uow)
    package.dispatch(carrier=command.carrier, location=command.location)
    return PackageSummary.of(package)


async def record_checkpoint(command: RecordCheckpoint, uow: LogisticsUnitOfWork) -> PackageSummary:
    package = await _package(command.package_id, uow)
    package.record_checkpoint(location=command.location, note=command.note)
    return PackageSummary.of(package)


async def deliver_package(command: DeliverPackage, uow: LogisticsUnitOfWork) -> PackageSummary:
    package = await _package(command.package_id, uow)
    package.deliver(signed_by=command.signed_by, location=command.location)
    return PackageSummary.of(package)


async def fail_delivery(command: FailDelivery, uow: LogisticsUnitOfWork) -> PackageSummary:
    package = await _package(command.package_id, uow)
    package.fail(reason=command.reason, location=command.location)
    return PackageSummary.of(package)


async def return_package(command: ReturnPackage, uow: LogisticsUnitOfWork) -> PackageSummary:
    package = await _package(command.package_id, uow)
    package.return_to_sender(reason=command.reason)
    return PackageSummary.of(package)


async def cancel_package(command: CancelPackage, uow: LogisticsUnitOfWork) -> PackageSummary:
    package = await _package(command.package_id, uow)
    package.cancel(reason=command.reason)
    return PackageSummary.of(package)


async def load_packages(commands: Sequence[object], uow: LogisticsUnitOfWork) -> None:
    """Before commands handled together: read the packages they name at once."""
    ids = []
    for command in commands:
        with contextlib.suppress(InvalidArgument):  # its handler will refuse it
            if isinstance(command, PackageCommand):
                ids.append(PackageId(command.package_id))
    await uow.packages.prefetch_by_id(ids)


HANDLERS: Mapping[type, Callable[[Any, LogisticsUnitOfWork], Awaitable[PackageSummary]]] = {
    DispatchPackage: dispatch_package,
    RecordCheckpoint: record_checkpoint,
    DeliverPackage: deliver_package,
    FailDelivery: fail_delivery,
    ReturnPackage: return_package,
    CancelPackage: cancel_package,
}
