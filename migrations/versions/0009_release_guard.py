"""A number's row leaves only with its release, and a business holding a number cannot be deleted.

Two triggers per dialect (see webapp/models/release_guard.py): deleting a business that has a number, or a
number's row with no `released` history row for its SID, is refused by the database, whatever path asks.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op

from webapp.models.release_guard import CREATE_TRIGGERS, DROP_TRIGGERS


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def dialect():
    return op.get_bind().dialect.name


def upgrade():
    for statement in CREATE_TRIGGERS[dialect()]:
        op.execute(statement)


def downgrade():
    for statement in DROP_TRIGGERS[dialect()]:
        op.execute(statement)
