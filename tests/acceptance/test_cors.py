"""Browsers may call the APIs only from the origins in CORS_ORIGINS."""

import httpx

from logistics_platform.bootstrap import bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints.http import apps

ALLOWED = "https://ops.example.com"


async def test_only_the_configured_origins_may_call_from_a_browser(sqlite_url: str) -> None:
    platform = await bootstrap(
        Settings(database_url=sqlite_url, cors_origins=[ALLOWED]), migrate=True
    )
    try:
        app = apps.create_inventory_app(platform)
        app.state.platform = platform
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

            async def preflight(origin: str) -> httpx.Response:
                return await client.options(
                    "/stock-items",
                    headers={
                        "Origin": origin,
                        "Access-Control-Request-Method": "POST",
                        "Access-Control-Request-Headers": "content-type, idempotency-key",
                    },
                )

            allowed, refused = await preflight(ALLOWED), await preflight("https://evil.example")
            listed = await client.get("/stock-items", headers={"Origin": ALLOWED})
    finally:
        await platform.close()
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    assert listed.headers["access-control-allow-origin"] == ALLOWED
    assert "x-correlation-id" in listed.headers["access-control-expose-headers"].lower()
