# ruff: noqa: E501 - table definitions frozen as at this revision
"""数据质量 over time: quality_snapshot, the open problems per county and check recorded after
each import and undo.

Revision ID: 0007_quality
Revises: 0006_intake_delete
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_quality'
down_revision = '0006_intake_delete'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quality_snapshot',
    sa.Column('snapshot_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=4), nullable=False),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('check_name', sa.String(length=32), nullable=False),
    sa.Column('problems', sa.Integer(), nullable=False),
    sa.CheckConstraint("event IN ('导入', '撤销')", name='ck_quality_event'),
    sa.CheckConstraint('problems IS NULL OR problems >= 0', name='ck_quality_problems_nonneg'),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.batch_id'], ),
    sa.PrimaryKeyConstraint('snapshot_id')
    )
    with op.batch_alter_table('quality_snapshot', schema=None) as batch_op:
        batch_op.create_index('ix_quality_at', ['at'], unique=False)
        batch_op.create_index('ix_quality_batch', ['batch_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('quality_snapshot', schema=None) as batch_op:
        batch_op.drop_index('ix_quality_batch')
        batch_op.drop_index('ix_quality_at')

    op.drop_table('quality_snapshot')
