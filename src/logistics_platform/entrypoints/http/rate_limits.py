"""Rate limits per client: ``RATE_LIMIT`` per token subject (or address) on every guarded
route, ``PUBLIC_RATE_LIMIT`` per address on the public tracking lookup.

Counters live in Redis when ``REDIS_URL`` is set, so replicas share them; otherwise in the
process's memory (the embedded default). Answers carry ``RateLimit-Limit``,
``RateLimit-Remaining`` and ``RateLimit-Reset`` (IETF draft "RateLimit header fields for
HTTP"); a refusal is 429 with ``Retry-After``.
"""

import math
import time
from dataclasses import dataclass

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from logistics_platform.config import Settings

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Quota:
    limit: int
    remaining: int
    reset_seconds: int

    @property
    def exceeded(self) -> bool:
        return self.remaining < 0

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(self.remaining, 0)),
            "RateLimit-Reset": str(self.reset_seconds),
        }


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        storage: Storage = (
            RedisStorage(f"async+{settings.redis_url}", key_prefix="logistics-rate")
            if settings.redis_url
            else MemoryStorage()
        )
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._limits = {
            "client": _rate(settings.rate_limit),
            "public": _rate(settings.public_rate_limit),
        }

    async def take(self, kind: str, client: str) -> Quota | None:
        """Count one call of ``client``; None when ``kind`` is not limited or the counters
        cannot be reached (then the call goes through: a rate limit is not worth an outage)."""
        item = self._limits[kind]
        if item is None:
            return None
        try:
            allowed = await self._limiter.hit(item, kind, client)
            stats = await self._limiter.get_window_stats(item, kind, client)
        except Exception as error:
            log.warning("rate limits unavailable, not limiting", error=str(error))
            return None
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        return Quota(item.amount, stats.remaining if allowed else -1, reset)


def _rate(text: str) -> RateLimitItem | None:
    return None if text == "none" else parse(text)


class RateLimitHeaders:
    """Adds the caller's quota (left in the request's state by the access check) to the
    answer, whatever the route returned."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_quota(message: Message) -> None:
            quota = scope.get("state", {}).get("quota")
            if message["type"] == "http.response.start" and quota is not None:
                headers = list(message.get("headers", []))
                headers.extend((k.lower().encode(), v.encode()) for k, v in quota.headers().items())
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_quota)
