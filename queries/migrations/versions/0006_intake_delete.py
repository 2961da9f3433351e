"""Data intake may remove a record (删除): an import that names a smaller expert panel takes the
seats of the experts it no longer names, and undo puts them back. import_change.action accepts
'删除' (before_json holds the whole record, after_json is {}).

Revision ID: 0006_intake_delete
Revises: 0005_intake
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_intake_delete'
down_revision = '0005_intake'
branch_labels = None
depends_on = None


def _import_change(actions: str) -> sa.Table:
    """import_change as at this revision, with the given list of actions (SQLite rebuilds the
    table to change a CHECK constraint)."""
    table = sa.Table(
        'import_change', sa.MetaData(),
        sa.Column('change_id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('table_name', sa.String(length=32), nullable=False),
        sa.Column('row_key', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=4), nullable=False),
        sa.Column('before_json', sa.Text(), nullable=True),
        sa.Column('after_json', sa.Text(), nullable=False),
        sa.CheckConstraint("(action = '新增') = (before_json IS NULL)", name='ck_change_before'),
        sa.CheckConstraint(f"action IN ({actions})", name='ck_change_action'),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batch.batch_id'], ),
        sa.PrimaryKeyConstraint('change_id'),
    )
    sa.Index('ix_change_batch', table.c.batch_id)
    sa.Index('ix_change_row', table.c.table_name, table.c.row_key)
    return table


def _actions(actions: str) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('import_change', recreate='always',
                                  copy_from=_import_change(actions)):
            pass
    else:
        op.drop_constraint('ck_change_action', 'import_change', type_='check')
        op.create_check_constraint('ck_change_action', 'import_change', f"action IN ({actions})")


def upgrade() -> None:
    _actions("'新增', '修改', '删除'")


def downgrade() -> None:
    op.execute("DELETE FROM import_change WHERE action = '删除'")
    _actions("'新增', '修改'")
