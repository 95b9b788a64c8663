"""The platform's subscriber that registers a package per reservation, for the tests that
deliver Inventory's events to it directly."""

from logistics_platform.bootstrap import Platform
from logistics_platform.shared.application.subscriber import Subscriber


def registering(platform: Platform) -> Subscriber[object]:
    return next(s for s in platform.subscribers if s.name.startswith("logistics."))
