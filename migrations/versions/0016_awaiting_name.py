"""The move page's business picker: businesses that can take a number, by the start of their name.

- ix_businesses_awaiting_name (PostgreSQL: lower(name) text_pattern_ops, then id; only active businesses
  without a number) serves each keystroke of the picker, `lower(name) LIKE 'abc%' ORDER BY lower(name)
  USING ~<~, id LIMIT 10`, by reading the first ten entries of one range of the index, in any collation:
  0.05 ms at 1,000,000 businesses (212,000 awaiting), where a sort of the matches took 150 to 510 ms.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_context().dialect.name == 'postgresql':  # SQLite holds no million businesses
        op.create_index(
            'ix_businesses_awaiting_name',
            'businesses',
            [sa.text('lower(name) text_pattern_ops'), 'id'],
            unique=False,
            postgresql_where=sa.text("status = 'active' AND has_number = false"),
        )


def downgrade():
    if op.get_context().dialect.name == 'postgresql':
        op.drop_index('ix_businesses_awaiting_name', table_name='businesses')
