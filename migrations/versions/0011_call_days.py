"""Daily call totals per number: call_days, one row per (number, UTC day) with calls, completed calls,
completed calls of 12 s or more (Twilio's reclaim rule) and talk seconds; kept 13 months by the prune job.
Indexed by day for pruning; the primary key serves a number's window.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 20:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "call_days",
        sa.Column("phone_number_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("long_calls", sa.Integer(), nullable=False),
        sa.Column("talk_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["phone_number_id"],
            ["phone_numbers.id"],
            name=op.f("fk_call_days_phone_number_id_phone_numbers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("phone_number_id", "day", name=op.f("pk_call_days")),
    )
    with op.batch_alter_table("call_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_days_day"), ["day"], unique=False)


def downgrade():
    with op.batch_alter_table("call_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_days_day"))

    op.drop_table("call_days")
