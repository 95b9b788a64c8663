"""Webhooks: subscriptions to the platform's events, and each event's delivery to one.

Deliveries follow the Standard Webhooks spec (standardwebhooks.com): a secret of the form
``whsec_<base64>``, a stable message id per delivery, and retries with growing pauses.
"""

import base64
import binascii
import ipaddress
import random
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Self
from urllib.parse import urlsplit

from logistics_platform.shared.domain.errors import Conflict, InvalidArgument

ALL_EVENTS = "*"
SECRET_PREFIX = "whsec_"
MAX_URL_LENGTH = 2000
_SECRET_BYTES = (24, 64)  # what the spec recommends
# The same rule as a pattern, for the API's schema: 24 to 64 bytes in padded base64.
_B64 = "[A-Za-z0-9+/]"
SECRET_PATTERN = (
    rf"^whsec_(?:(?:{_B64}{{4}}){{8,21}}(?:{_B64}{{2}}==)?|(?:{_B64}{{4}}){{8,20}}{_B64}{{3}}=)$"
)
_CARRIER_GRADE_NAT = ipaddress.ip_network("100.64.0.0/10")


def new_secret() -> str:
    """A fresh signing secret: 24 random bytes in the spec's ``whsec_`` form."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(_SECRET_BYTES[0])).decode()


def checked_secret(secret: str) -> str:
    """``secret`` if it is ``whsec_`` and the base64 of 24 to 64 bytes."""
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    shortest, longest = _SECRET_BYTES
    if not secret.startswith(SECRET_PREFIX) or not shortest <= len(key) <= longest:
        raise InvalidArgument(
            f"a secret is {SECRET_PREFIX} followed by the base64 of {shortest} to {longest} bytes"
        )
    return secret


def host_of(url: str) -> str:
    """The host an http(s) URL without credentials names; other URLs are refused."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as error:
        raise InvalidArgument(f"not a URL: {error}") from None
    if any(character.isspace() or not character.isprintable() for character in url):
        raise InvalidArgument("a webhook URL has no spaces nor control characters")
    if len(url) > MAX_URL_LENGTH or parts.scheme not in ("http", "https"):
        raise InvalidArgument(f"a webhook URL is http(s), at most {MAX_URL_LENGTH} characters")
    if parts.username is not None or parts.password is not None:
        raise InvalidArgument("a webhook URL carries no user name or password")
    if not parts.hostname:
        raise InvalidArgument("a webhook URL names a host")
    return parts.hostname


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    """Which receivers may be called. By default only public addresses: a webhook must not
    let a caller reach the platform's own network (SSRF)."""

    allow_private_networks: bool = False
    allowed_hosts: frozenset[str] = frozenset()

    def check(self, host: str, addresses: Iterable[str]) -> None:
        """Refuse ``host`` unless allowed, or every address it resolves to is public."""
        if self.allow_private_networks or host.lower() in self.allowed_hosts:
            return
        found = list(addresses)
        if not found:
            raise InvalidArgument(f"the host {host} does not resolve")
        for address in found:
            if not is_public(address):
                raise InvalidArgument(
                    f"the host {host} resolves to {address}, which is not a public address"
                )


def is_public(address: str) -> bool:
    """Not loopback, private, link-local, multicast, reserved, unspecified nor shared
    (carrier-grade NAT); an IPv4 address mapped into IPv6 counts as itself."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # without an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv4Address) and ip in _CARRIER_GRADE_NAT)
    )


@dataclass(frozen=True, slots=True)
class Subscription:
    """A receiver's URL, the events it wants and the secret its deliveries are signed with."""

    id: str
    url: str
    event_types: frozenset[str]
    secret: str
    created_at: datetime

    @classmethod
    def create(
        cls,
        url: str,
        event_types: Iterable[str],
        known_events: frozenset[str],
        now: datetime,
        secret: str | None = None,
    ) -> Self:
        """A new subscription; unknown event names, bad URLs and bad secrets are refused."""
        host_of(url)
        wanted = frozenset(event_types)
        if not wanted:
            raise InvalidArgument("name at least one event type (or * for all)")
        unknown = sorted(wanted - known_events - {ALL_EVENTS})
        if unknown:
            raise InvalidArgument(f"unknown event types: {', '.join(unknown)}")
        secret = new_secret() if secret is None else checked_secret(secret)
        return cls(str(uuid.uuid4()), url, wanted, secret, now)

    def follows(self, event_name: str) -> bool:
        return ALL_EVENTS in self.event_types or event_name in self.event_types


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED_RETRYING = "failed-retrying"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class Backoff:
    """When to try again: ``base`` seconds after the first failure, doubling each time up
    to ``most``, each pause shortened by up to half at random (so that the deliveries an
    outage failed together do not all come back at once); dead after ``max_attempts``."""

    base: float
    max_attempts: int
    most: float = 3600.0

    def pause(self, attempts: int, retry_after: float | None = None, *, jitter: float) -> float:
        """The pause after ``attempts`` failed ones; a receiver's Retry-After is honoured
        up to ``most``. ``jitter`` is in [0, 1)."""
        pause: float = min(self.base * 2.0 ** (attempts - 1), self.most) * (1 - jitter / 2)
        if retry_after is not None:
            pause = max(pause, min(retry_after, self.most))
        return pause


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt got: a status code, or an error (network, timeout, refused host)."""

    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one subscription. Its id is the ``webhook-id`` receivers deduplicate
    on: the same for every attempt, and for a redelivery."""

    id: str
    subscription_id: str
    event_id: str
    event_type: str
    payload: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_status_code: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None

    @classmethod
    def queue(
        cls, subscription_id: str, event_id: str, event_type: str, payload: str, now: datetime
    ) -> Self:
        return cls(
            id=f"msg_{uuid.uuid4().hex}",
            subscription_id=subscription_id,
            event_id=event_id,
            event_type=event_type,
            payload=payload,
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )

    def attempted(
        self,
        outcome: Outcome,
        now: datetime,
        backoff: Backoff,
        jitter: Callable[[], float] = random.random,
    ) -> Self:
        """The delivery after one more attempt: delivered, to be retried, or dead."""
        attempts = self.attempts + 1
        done = replace(
            self,
            attempts=attempts,
            updated_at=now,
            last_status_code=outcome.status_code,
            last_error=outcome.error,
        )
        if outcome.succeeded:
            return replace(
                done, status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None
            )
        if attempts >= backoff.max_attempts:
            return replace(done, status=DeliveryStatus.DEAD, next_attempt_at=None)
        pause = backoff.pause(attempts, outcome.retry_after, jitter=jitter())
        return replace(
            done,
            status=DeliveryStatus.FAILED_RETRYING,
            next_attempt_at=now + timedelta(seconds=pause),
        )

    def redelivered(self, now: datetime) -> Self:
        """A new series of attempts for a dead or delivered delivery (same webhook-id)."""
        if self.status not in (DeliveryStatus.DEAD, DeliveryStatus.DELIVERED):
            raise Conflict(f"delivery {self.id} is {self.status}: it is still being tried")
        return replace(
            self, status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, updated_at=now
        )
