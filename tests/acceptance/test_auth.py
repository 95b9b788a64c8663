"""Who may call what with AUTH=jwt: every route of every API by {no token, expired token,
a token without the role, a token with the role}; and the embedded default stays open."""

import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints.http import apps
from logistics_platform.entrypoints.http.auth import mint_token

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
STAFF = ["inventory:write", "logistics:operate", "backoffice:read"]
# What each API's routes need, as the operators' guide states it: role names by API for
# reading (GET) and for writing; probes and the customer's tracking lookup are public.
NEEDED: dict[str, dict[str, list[str]]] = {
    "inventory": {"read": STAFF, "write": ["inventory:write"]},
    "logistics": {"read": ["logistics:operate", "backoffice:read"], "write": ["logistics:operate"]},
    "backoffice": {"read": ["backoffice:read"], "write": []},
    "health": {"read": [], "write": []},
}
PUBLIC = {"/health", "/ready", "/tracking/by-number/{tracking_number}"}


@pytest.fixture
async def secured(sqlite_url: str) -> AsyncIterator[Platform]:
    settings = Settings(database_url=sqlite_url, rabbitmq_url=None, auth="jwt", jwt_secret=SECRET)
    platform = await bootstrap(settings, migrate=True)
    try:
        yield platform
    finally:
        await platform.close()


def _apps(platform: Platform) -> dict[str, FastAPI]:
    return {
        "inventory": apps.create_inventory_app(platform),
        "logistics": apps.create_logistics_app(platform),
        "backoffice": apps.create_backoffice_app(platform),
        "health": apps.create_health_app(platform),
    }


def _calls(app: FastAPI) -> list[tuple[str, str, str]]:
    """Every (method, route template, a concrete path) the app documents."""
    calls = []
    for template, operations in app.openapi()["paths"].items():
        path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), template)
        calls.extend((method.upper(), template, path) for method in sorted(operations))
    return calls


def _token(platform: Platform, roles: list[str], ttl: int = 600) -> str:
    return mint_token(platform.settings, roles, subject="tester", ttl_seconds=ttl)


def _expired(platform: Platform, roles: list[str]) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "tester",
        "roles": roles,
        "aud": platform.settings.jwt_audience,
        "iss": platform.settings.jwt_issuer,
        "exp": now - 3600,  # well past the leeway
    }
    return jwt.encode(claims, SECRET, algorithm="HS256")


async def test_every_route_answers_each_kind_of_caller_as_its_rule_says(
    secured: Platform,
) -> None:
    checked = 0
    for name, app in _apps(secured).items():
        transport = httpx.ASGITransport(app=app)
        app.state.platform = secured  # the lifespan would set it; the routes need only this
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for method, template, path in _calls(app):
                kind = "read" if method in {"GET", "HEAD"} else "write"
                allowed = NEEDED[name][kind]
                others = [role for role in STAFF if role not in allowed]

                async def call(token: str | None, method: str = method, path: str = path) -> Any:
                    headers = {"Authorization": f"Bearer {token}"} if token else {}
                    return await client.request(method, path, headers=headers, json={})

                where = f"{name} {method} {template}"
                if template in PUBLIC:
                    assert (await call(None)).status_code not in {401, 403}, where
                    continue
                missing = await call(None)
                assert missing.status_code == 401, where
                assert missing.headers["www-authenticate"].startswith("Bearer"), where
                assert missing.headers["content-type"] == "application/problem+json", where
                expired = await call(_expired(secured, [*allowed, "admin"]))
                assert expired.status_code == 401, where
                assert 'error="invalid_token"' in expired.headers["www-authenticate"], where
                assert (await call(_token(secured, others))).status_code == 403, where
                for right in [*allowed, "admin"]:
                    answer = await call(_token(secured, [right]))
                    assert answer.status_code not in {401, 403}, f"{where} as {right}"
                checked += 1
    assert checked >= 16  # every API's guarded routes were reached


async def test_a_token_from_another_issuer_audience_or_key_is_refused(secured: Platform) -> None:
    app = apps.create_backoffice_app(secured)
    app.state.platform = secured
    now = int(time.time())
    good = {"sub": "x", "roles": ["admin"], "exp": now + 60}
    forged = [
        jwt.encode({**good, "aud": "other", "iss": "logistics-platform"}, SECRET),
        jwt.encode({**good, "aud": "logistics-platform", "iss": "other"}, SECRET),
        jwt.encode({**good, "aud": "logistics-platform", "iss": "logistics-platform"}, "k" * 40),
        jwt.encode(
            {**good, "aud": "logistics-platform", "iss": "logistics-platform"}, None, "none"
        ),
        "not-a-jwt",
    ]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for token in forged:
            answer = await client.get("/tracking", headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 401, token


async def test_the_embedded_default_is_open(platform: Platform) -> None:
    app = apps.create_inventory_app(platform)
    app.state.platform = platform
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.post(
            "/stock-items", json={"id": str(uuid.uuid4()), "name": "Mug", "quantity": 1}
        )
    assert answer.status_code == 201, answer.text


def test_jwt_auth_without_a_key_or_with_a_short_secret_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="JWT_SECRET"):
        Settings(auth="jwt")
    with pytest.raises(ValueError, match="at least 32"):
        Settings(auth="jwt", jwt_secret="short")


async def test_during_a_rotation_tokens_signed_with_the_previous_secret_still_work(
    sqlite_url: str,
) -> None:
    former = "the-former-secret-that-was-long-enough-too"
    settings = Settings(
        database_url=sqlite_url,
        auth="jwt",
        jwt_secret=SECRET,
        jwt_previous_secret=former,
    )
    platform = await bootstrap(settings, migrate=True)
    try:
        app = apps.create_backoffice_app(platform)
        app.state.platform = platform
        old = Settings(database_url=sqlite_url, auth="jwt", jwt_secret=former)
        tokens = {
            "new": mint_token(settings, ["backoffice:read"], subject="a", ttl_seconds=60),
            "old": mint_token(old, ["backoffice:read"], subject="a", ttl_seconds=60),
            "other": jwt.encode({"sub": "a", "exp": int(time.time()) + 60}, "z" * 40),
        }
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            statuses = {
                name: (
                    await client.get("/tracking", headers={"Authorization": f"Bearer {token}"})
                ).status_code
                for name, token in tokens.items()
            }
    finally:
        await platform.close()
    assert statuses == {"new": 200, "old": 200, "other": 401}


async def test_idempotency_keys_belong_to_the_caller_who_sent_them(secured: Platform) -> None:
    app = apps.create_inventory_app(secured)
    app.state.platform = secured
    transport = httpx.ASGITransport(app=app)
    bodies = [{"id": str(uuid.uuid4()), "name": f"Item {n}", "quantity": 1} for n in range(2)]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answers = [
            await client.post(
                "/stock-items",
                json=body,
                headers={
                    "Authorization": f"Bearer {_token_of(secured, subject)}",
                    "Idempotency-Key": "the-same-key",
                },
            )
            for subject, body in zip(("alice", "bob"), bodies, strict=True)
        ]
    # Another caller's key is not a reuse: each request ran, neither is a replay.
    assert [a.status_code for a in answers] == [201, 201]
    assert not any("idempotent-replayed" in a.headers for a in answers)


def _token_of(platform: Platform, subject: str) -> str:
    return mint_token(platform.settings, ["inventory:write"], subject=subject, ttl_seconds=600)
