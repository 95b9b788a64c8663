"""Webhooks: subscriptions to the platform's events, and which receivers may be called.

Deliveries follow the Standard Webhooks spec (standardwebhooks.com): a secret of the form
``whsec_<base64>``, a stable message id per delivery, and retries with growing pauses.
"""

import base64
import binascii
import ipaddress
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Self
from urllib.parse import urlsplit

from logistics_platform.shared.domain.errors import InvalidArgument

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
