"""Looking into a SQL store's tables directly, for what the RunStore API does not show."""

from __future__ import annotations

import sqlalchemy as sa

from execution.store.sql.engine import make_engine
from execution.store.urls import parse_store_url


async def row_count(url: str, table: str) -> int:
    engine = make_engine(parse_store_url(url))
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar_one())
    finally:
        await engine.dispose()


async def execute(url: str, statement: str) -> None:
    engine = make_engine(parse_store_url(url))
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(statement))
    finally:
        await engine.dispose()
