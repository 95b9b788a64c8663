"""Who may call what: bearer JWTs when ``AUTH=jwt``, everyone in the embedded default.

A token names its subject (``sub``) and roles (claim ``JWT_ROLES_CLAIM``, default
``roles``); it is signed with HS256 and ``JWT_SECRET``, or with RS256/ES256 by an identity
provider whose keys are published at ``JWT_JWKS_URL``. ``exp``, ``aud`` and ``iss`` are
required; ``nbf`` is honoured; clocks may differ by ``JWT_LEEWAY_SECONDS``.

Each API names, in one :class:`Access` per router, the roles that may read and the roles
that may write; ``admin`` may do everything. Missing or bad token → 401 with
``WWW-Authenticate: Bearer`` (RFC 6750); a valid token without the role → 403.
"""

import asyncio
import enum
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import Scope

from logistics_platform.config import Settings
from logistics_platform.entrypoints.http.rate_limits import RateLimits

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Role(enum.StrEnum):
    INVENTORY_WRITE = "inventory:write"
    LOGISTICS_OPERATE = "logistics:operate"
    BACKOFFICE_READ = "backoffice:read"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    roles: frozenset[str]
    expires: int | None = None  # the token's ``exp`` (seconds since the epoch)


ANONYMOUS = Principal("anonymous", frozenset({Role.ADMIN}))  # AUTH=none: the door is open


class InvalidToken(Exception):
    pass


class KeysUnavailable(Exception):
    """The identity provider's keys could not be fetched: no verdict on the token."""


class TokenVerifier:
    """Checks a bearer token's signature and claims; gives the principal it names."""

    def __init__(self, settings: Settings) -> None:
        import jwt  # noqa: PLC0415 - only processes that check tokens load it (start-up time)

        self._jwt = jwt
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None

    async def verify(self, token: str) -> Principal:
        if self._jwks is None:
            try:
                return self._decode(token, self._secret(), ["HS256"])
            except InvalidToken:
                previous = self._settings.jwt_previous_secret
                if previous is None:
                    raise
                # Mid-rotation, tokens minted before the switch are still good.
                return self._decode(token, previous.get_secret_value(), ["HS256"])
        try:  # fetching the provider's keys (cached by the client) is blocking I/O
            key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
        except self._jwt.PyJWKClientConnectionError as error:
            raise KeysUnavailable(str(error)) from None
        except self._jwt.PyJWTError as error:  # malformed, or signed with a key it does not publish
            raise InvalidToken(str(error)) from None
        return self._decode(token, key.key, ["RS256", "ES256"])

    def _secret(self) -> str:
        assert self._settings.jwt_secret is not None  # Settings refuse AUTH=jwt without a key
        return self._settings.jwt_secret.get_secret_value()

    def _decode(self, token: str, key: Any, algorithms: list[str]) -> Principal:
        settings = self._settings
        try:
            claims = self._jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                leeway=settings.jwt_leeway_seconds,
                options={"require": ["exp", "sub", "aud", "iss"]},
            )
        except self._jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        roles = claims.get(settings.jwt_roles_claim, [])
        if isinstance(roles, str):  # "a b" as in OAuth's scope claim
            roles = roles.split()
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise InvalidToken(f"claim {settings.jwt_roles_claim!r} must list role names")
        return Principal(str(claims["sub"]), frozenset(roles), int(claims["exp"]))


def mint_token(settings: Settings, roles: Iterable[str], *, subject: str, ttl_seconds: int) -> str:
    """An HS256 token for local use (``logistics token``), signed with ``JWT_SECRET``."""
    if settings.jwt_secret is None:
        raise ValueError("set JWT_SECRET (at least 32 characters) to mint tokens")
    now = int(time.time())
    claims = {
        "sub": subject,
        settings.jwt_roles_claim: sorted(set(roles)),
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
    }
    import jwt  # noqa: PLC0415

    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


_bearer = HTTPBearer(auto_error=False, description="A JWT; see `logistics token --help`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


@dataclass(frozen=True)
class Access:
    """A router's rule: who reads (GET), who writes (everything else), and which route
    templates anyone may call."""

    read: frozenset[Role]
    write: frozenset[Role] = frozenset()
    public: frozenset[str] = field(default_factory=frozenset)

    def roles_for(self, method: str, route: str) -> frozenset[Role] | None:
        """The roles allowed; None when the route is public."""
        if route in self.public:
            return None
        return (self.read if method in SAFE_METHODS else self.write) | {Role.ADMIN}

    def dependency(self) -> Any:
        async def authorize(request: Request, credentials: Credentials) -> Principal:
            settings: Settings = request.app.state.platform.settings
            # The route's template (one per route, not per id); the URL only without one.
            route = getattr(request.scope.get("route"), "path", None) or request.url.path
            allowed = self.roles_for(request.method, route)
            address = request.client.host if request.client else "unknown"
            if settings.auth == "none" or allowed is None:
                principal, client = ANONYMOUS, f"address:{address}"
            else:
                principal = await _principal(request, settings, credentials)
                client = f"subject:{principal.subject}"
            await count_the_call(request, "public" if allowed is None else "client", client)
            if allowed is not None and not principal.roles & allowed:
                needed = " or ".join(sorted(allowed))
                raise HTTPException(403, f"this call needs the role {needed}")
            request.state.principal = principal
            return principal

        return Depends(authorize)


async def _principal(
    request: Request, settings: Settings, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("a bearer token is required", error=None)
    try:
        return await verified(request.scope, settings, credentials.credentials)
    except InvalidToken as error:
        raise _unauthorized(f"invalid token: {error}", error="invalid_token") from None
    except KeysUnavailable as error:  # the provider did not answer
        raise HTTPException(503, f"cannot check the token: {error}") from None


async def caller_of(scope: Scope) -> str | None:
    """Who sends a request, before routing (for per-caller records such as idempotency
    keys): the verified token's subject; ``""`` when the APIs are open; None when the token
    does not verify (the route will answer 401)."""
    settings: Settings = scope["app"].state.platform.settings
    if settings.auth == "none":
        return ""
    authorization = dict(scope["headers"]).get(b"authorization", b"")
    scheme, _, token = authorization.decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        return (await verified(scope, settings, token.strip())).subject
    except (InvalidToken, KeysUnavailable):
        return None


async def verified(scope: Scope, settings: Settings, token: str) -> Principal:
    """The token's principal, checked once per request: the idempotency layer asks before
    routing, the router's access rule (or the dashboard's session) after. Raises
    :class:`InvalidToken` or :class:`KeysUnavailable`."""
    state = scope.setdefault("state", {})
    known: tuple[str, Principal] | None = state.get("verified_token")
    if known is not None and known[0] == token:
        return known[1]
    principal = await _verifier(scope["app"], settings).verify(token)
    state["verified_token"] = (token, principal)
    return principal


def _verifier(app: Any, settings: Settings) -> TokenVerifier:
    verifier: TokenVerifier | None = getattr(app.state, "token_verifier", None)
    if verifier is None:
        verifier = app.state.token_verifier = TokenVerifier(settings)
    return verifier


async def count_the_call(request: Request, kind: str, client: str) -> None:
    """Count the call against ``client``'s quota of ``kind``; 429 once it is used up."""
    limits: RateLimits | None = getattr(request.app.state, "rate_limits", None)
    if limits is None:
        limits = request.app.state.rate_limits = RateLimits(request.app.state.platform.settings)
    quota = await limits.take(kind, client)
    request.state.quota = quota
    if quota is not None and quota.exceeded:
        headers = {"Retry-After": str(quota.reset_seconds)}  # RateLimit-*: RateLimitHeaders
        raise HTTPException(429, "too many requests: slow down and retry later", headers=headers)


def _unauthorized(detail: str, *, error: str | None) -> HTTPException:
    challenge = 'Bearer realm="logistics"'
    if error is not None:
        challenge += f', error="{error}"'
    return HTTPException(401, detail, headers={"WWW-Authenticate": challenge})
