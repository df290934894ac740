"""shared provider budgets: provider_budgets

Written by `python -m execution.store.sql.revise` (Alembic autogenerate) and reviewed: one new
table, nothing of the earlier tables touched. Used on PostgreSQL only (replicas sharing their
budgets, execution.ratelimit.shared); created on SQLite too so both keep one schema.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 12:49:55.016093
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('provider_budgets',
    sa.Column('owner', sa.String(length=255), nullable=False),
    sa.Column('provider_id', sa.String(length=255), nullable=False),
    sa.Column('requests_tat', sa.BigInteger(), nullable=False),
    sa.Column('requests_line', sa.BigInteger(), nullable=False),
    sa.Column('tokens_tat', sa.BigInteger(), nullable=False),
    sa.Column('tokens_line', sa.BigInteger(), nullable=False),
    sa.Column('debt', sa.BigInteger(), nullable=False),
    sa.Column('verdict', sa.SmallInteger(), nullable=False),
    sa.Column('charged', sa.BigInteger(), nullable=False),
    sa.Column('idle_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('owner', 'provider_id', name=op.f('pk_provider_budgets'))
    )
    with op.batch_alter_table('provider_budgets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_budgets_idle_at'), ['idle_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('provider_budgets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_budgets_idle_at'))

    op.drop_table('provider_budgets')
