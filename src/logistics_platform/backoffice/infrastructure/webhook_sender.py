"""Sending a webhook: Standard Webhooks headers and signature, over httpx, to an address
checked just before (against DNS rebinding: the request goes to the very address that was
checked, with the URL's host in ``Host`` and in TLS's SNI)."""

import asyncio
import socket
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from standardwebhooks import Webhook

from logistics_platform.backoffice.application.webhook_dispatcher import Sender
from logistics_platform.backoffice.domain.webhook_deliveries import Delivery, Outcome
from logistics_platform.backoffice.domain.webhooks import NetworkPolicy, Subscription
from logistics_platform.shared.domain.errors import InvalidArgument

_USER_AGENT = "logistics-platform-webhooks"


async def resolve(host: str, port: int | None = None) -> list[str]:
    """Every address ``host`` resolves to (none if it does not)."""
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):  # not found, not a valid name
        return []
    return list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in found))


class ReceiverCheck:
    """Whether a receiver's host may be called (a webhook's creation asks)."""

    def __init__(self, policy: NetworkPolicy) -> None:
        self._policy = policy

    async def __call__(self, host: str) -> None:
        if not self._policy.allow_private_networks:
            self._policy.check(host, await resolve(host))


class HttpWebhookSender(Sender):
    def __init__(self, policy: NetworkPolicy, *, timeout: float, connections: int) -> None:
        self._policy, self._timeout = policy, timeout
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,  # no proxy from the environment: the checked address is called
            timeout=timeout,
            limits=httpx.Limits(max_connections=connections),
        )

    async def send(self, subscription: Subscription, delivery: Delivery) -> Outcome:
        try:
            async with asyncio.timeout(self._timeout):
                return await self._post(subscription, delivery)
        except TimeoutError:
            return Outcome(error=f"no answer within {self._timeout:g} s")
        except InvalidArgument as refused:
            return Outcome(error=f"refused: {refused.message}")
        except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as error:
            return Outcome(error=f"{type(error).__name__}: {error}"[:500])

    async def _post(self, subscription: Subscription, delivery: Delivery) -> Outcome:
        url = httpx.URL(subscription.url)
        addresses = await resolve(url.host, url.port)
        self._policy.check(url.host, addresses)
        if not addresses:
            raise InvalidArgument(f"the host {url.host} does not resolve")
        response = await self._client.post(
            url.copy_with(host=addresses[0]),
            content=delivery.payload.encode(),
            headers={
                "Host": url.netloc.decode("ascii"),
                "Content-Type": "application/json",
                "User-Agent": _USER_AGENT,
                **signed_headers(subscription.secret, delivery),
            },
            extensions={"sni_hostname": url.host} if url.scheme == "https" else {},
        )
        return Outcome(response.status_code, retry_after=_seconds(response.headers))

    async def aclose(self) -> None:
        await self._client.aclose()


def signed_headers(secret: str, delivery: Delivery, now: datetime | None = None) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` (of this attempt) and ``webhook-signature``."""
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    return {
        "webhook-id": delivery.id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(secret).sign(delivery.id, moment, delivery.payload),
    }


def _seconds(headers: httpx.Headers) -> float | None:
    """A Retry-After header in seconds (it may be a number or an HTTP date)."""
    value = headers.get("retry-after")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max((parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None
