"""businesses.has_number, kept by triggers on phone_numbers, and a partial index of those awaiting a number.

The dashboard's "awaiting a number" (active businesses without a number) was an anti-join that probed
phone_numbers for every active business its capped count passed; the flag and the partial index
`ix_businesses_awaiting_number` (created_at, only active businesses without a number) let the count and the
oldest-first list read just the awaiting businesses. The flag is backfilled from the numbers, then the
triggers keep it (see webapp/models/number_flag.py). At a million businesses the backfill rewrites the table
once (a minute or so, locking writes to businesses).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 18:55:00.000000

"""
from alembic import op
import sqlalchemy as sa

from webapp.models.number_flag import BACKFILL, CREATE_TRIGGERS, DROP_TRIGGERS


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def dialect():
    return op.get_bind().dialect.name


def upgrade():
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('has_number', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(BACKFILL)
    op.create_index(
        'ix_businesses_awaiting_number',
        'businesses',
        ['created_at'],
        unique=False,
        postgresql_where=sa.text("status = 'active' AND has_number = false"),
        sqlite_where=sa.text("status = 'active' AND has_number = 0"),
    )
    for statement in CREATE_TRIGGERS[dialect()]:
        op.execute(statement)


def downgrade():
    for statement in DROP_TRIGGERS[dialect()]:
        op.execute(statement)
    op.drop_index('ix_businesses_awaiting_number', table_name='businesses')
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.drop_column('has_number')
