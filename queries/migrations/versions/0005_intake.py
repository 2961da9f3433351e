# ruff: noqa: E501 - table definitions frozen as at this revision
"""Data intake (数据导入): import_batch (each import) and import_change (the values each import
replaced), so that an import can be previewed, recorded and undone.

Revision ID: 0005_intake
Revises: 0002_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_intake'
down_revision = '0004_cases'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_batch',
    sa.Column('batch_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('file_name', sa.String(length=256), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('scope_level', sa.String(length=8), nullable=False),
    sa.Column('scope_code', sa.String(length=16), nullable=True),
    sa.Column('scope_name', sa.String(length=128), nullable=True),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.Column('undone_by', sa.String(length=64), nullable=True),
    sa.CheckConstraint("(status = '已撤销') = (undone_at IS NOT NULL)", name='ck_import_undone'),
    sa.CheckConstraint("scope_level IN ('province', 'city', 'county', 'park')", name='ck_import_scope_level'),
    sa.CheckConstraint("status IN ('有效', '已撤销')", name='ck_import_status'),
    sa.CheckConstraint('inserted IS NULL OR inserted >= 0', name='ck_import_inserted_nonneg'),
    sa.CheckConstraint('unchanged IS NULL OR unchanged >= 0', name='ck_import_unchanged_nonneg'),
    sa.CheckConstraint('updated IS NULL OR updated >= 0', name='ck_import_updated_nonneg'),
    sa.PrimaryKeyConstraint('batch_id')
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index('ix_import_created', ['created_at'], unique=False)

    op.create_table('import_change',
    sa.Column('change_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=32), nullable=False),
    sa.Column('row_key', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=4), nullable=False),
    sa.Column('before_json', sa.Text(), nullable=True),
    sa.Column('after_json', sa.Text(), nullable=False),
    sa.CheckConstraint("(action = '新增') = (before_json IS NULL)", name='ck_change_before'),
    sa.CheckConstraint("action IN ('新增', '修改')", name='ck_change_action'),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.batch_id'], ),
    sa.PrimaryKeyConstraint('change_id')
    )
    with op.batch_alter_table('import_change', schema=None) as batch_op:
        batch_op.create_index('ix_change_batch', ['batch_id'], unique=False)
        batch_op.create_index('ix_change_row', ['table_name', 'row_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('import_change', schema=None) as batch_op:
        batch_op.drop_index('ix_change_row')
        batch_op.drop_index('ix_change_batch')

    op.drop_table('import_change')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_import_created')

    op.drop_table('import_batch')
