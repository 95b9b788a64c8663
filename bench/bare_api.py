"""The thinnest FastAPI endpoint that does what a reservation does, for the benchmark's
reference row: the same request and response, the same statements as the platform on
PostgreSQL, sent with an asyncpg pool, and nothing else (no domain, no unit of work,
no error mapping, no idempotency, no retries). It shows how much of the gap to the raw
driver is HTTP and the framework, and how much is the platform.

    BARE_DATABASE_URL=postgresql://... uvicorn bench.bare_api:app --port 3120
"""

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated

import asyncpg
from fastapi import FastAPI, Path
from pydantic import BaseModel, Field, StrictInt

from logistics_platform.inventory.infrastructure.rows import (
    LOAD_ON_POSTGRESQL,
    SAVE_ON_POSTGRESQL,
)

# Marked published (as the raw driver's rows are), for the relay to leave alone.
APPEND = """
    INSERT INTO outbox (event_id, name, aggregate_id, occurred_on, envelope, published_at)
    VALUES ($1, 'bench.bare', $2, $3, $4, now())
"""


class ReserveRequest(BaseModel):
    quantity: Annotated[StrictInt, Field(ge=1)]
    reservationId: str  # noqa: N815 - the wire's name


class ReserveResponse(BaseModel):
    message: str
    stockItemId: str  # noqa: N815
    reservationId: str  # noqa: N815
    quantity: int


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(
        os.environ["BARE_DATABASE_URL"], min_size=20, max_size=20
    )
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.put("/stock-items/{id}/reserve", response_model=ReserveResponse)
async def reserve(id: Annotated[uuid.UUID, Path()], body: ReserveRequest) -> ReserveResponse:
    item = str(id)
    async with app.state.pool.acquire() as connection, connection.transaction():
        # The platform's own statements on PostgreSQL, so the two always send the same.
        row = await connection.fetchrow(LOAD_ON_POSTGRESQL, [item], [body.reservationId])
        await connection.fetchval(
            SAVE_ON_POSTGRESQL,
            [item],
            [row["version"]],
            [row["version"] + 1],
            [row["name"]],
            [row["available"] - body.quantity],
            [row["reserved"] + body.quantity],
            [row["shipped"]],
            [body.reservationId],
            [item],
            [body.quantity],
            [None],
            *[[]] * 6,  # no reservation changed
        )
        event = {"reservationId": body.reservationId, "quantity": body.quantity}
        await connection.execute(
            APPEND, str(uuid.uuid4()), item, datetime.now(UTC), json.dumps(event)
        )
    return ReserveResponse(
        message="Stock reserved successfully",
        stockItemId=item,
        reservationId=body.reservationId,
        quantity=body.quantity,
    )


@app.get("/ready")
async def ready() -> dict[str, str]:
    return {"status": "ready"}
