"""run ownership across replicas: run_claims

Written against schema.py (one new table, nothing of the earlier tables touched).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 11:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('run_claims',
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('run_id', name=op.f('pk_run_claims'))
    )
    with op.batch_alter_table('run_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_run_claims_holder'), ['holder'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('run_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_run_claims_holder'))
    op.drop_table('run_claims')
