"""Logistics commands: a package's lifecycle steps (SPEC §6), in primitives, as they arrive."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DispatchPackage:
    package_id: str
    carrier: str
    location: str


@dataclass(frozen=True, slots=True)
class RecordCheckpoint:
    package_id: str
    location: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DeliverPackage:
    package_id: str
    signed_by: str
    location: str | None = None


@dataclass(frozen=True, slots=True)
class FailDelivery:
    package_id: str
    reason: str
    location: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnPackage:
    package_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CancelPackage:
    package_id: str
    reason: str | None = None


# Every command names the package it changes.
PackageCommand = (
    DispatchPackage
    | RecordCheckpoint
    | DeliverPackage
    | FailDelivery
    | ReturnPackage
    | CancelPackage
)
