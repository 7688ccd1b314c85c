"""Call events: what Twilio's status callbacks report, and each number's last call.

- call_events: one row per (CallSid, CallStatus), unique, so a callback Twilio repeats is stored once;
  phone_number_id is empty for a call to a number no row records (an unknown call) and is set empty when the
  number's row goes. Indexed by number and time (a number's calls) and by arrival (pruning).
- phone_numbers.last_call_at, last_call_status, last_call_duration: the newest call reported for the number;
  last_call_at is indexed for the numbers list sorted by last call.

Only columns and indexes are added to phone_numbers (no table rebuild on SQLite), so its release-guard
triggers stay; the downgrade rebuilds the table on SQLite and so puts them back.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 17:49:45

"""
from alembic import op
import sqlalchemy as sa

from webapp.models import number_flag, release_guard


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('call_events',
    sa.Column('call_sid', sa.String(length=34), nullable=False),
    sa.Column('call_status', sa.String(length=20), nullable=False),
    sa.Column('phone_number_id', sa.Uuid(), nullable=True),
    sa.Column('to_number', sa.String(length=16), nullable=False),
    sa.Column('from_number', sa.String(length=64), nullable=False),
    sa.Column('direction', sa.String(length=20), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['phone_number_id'], ['phone_numbers.id'], name=op.f('fk_call_events_phone_number_id_phone_numbers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_events')),
    sa.UniqueConstraint('call_sid', 'call_status', name='uq_call_events_call_sid_status')
    )
    with op.batch_alter_table('call_events', schema=None) as batch_op:
        batch_op.create_index('ix_call_events_number_occurred', ['phone_number_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_events_received_at'), ['received_at'], unique=False)

    with op.batch_alter_table('phone_numbers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_call_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_call_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('last_call_duration', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_phone_numbers_last_call_at'), ['last_call_at'], unique=False)


def phone_number_triggers(kind):
    """The statements that drop or create the triggers on or about phone_numbers, on SQLite."""
    return [statement for module in (number_flag, release_guard) for statement in getattr(module, kind)['sqlite']]


def downgrade():
    # SQLite drops phone_numbers' columns by rebuilding the table, which its triggers (and the one on
    # businesses that reads it) do not survive: take them off first and put them back after.
    on_sqlite = op.get_bind().dialect.name == 'sqlite'
    for statement in phone_number_triggers('DROP_TRIGGERS') if on_sqlite else ():
        op.execute(statement)
    with op.batch_alter_table('phone_numbers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_numbers_last_call_at'))
        batch_op.drop_column('last_call_duration')
        batch_op.drop_column('last_call_status')
        batch_op.drop_column('last_call_at')
    for statement in phone_number_triggers('CREATE_TRIGGERS') if on_sqlite else ():
        op.execute(statement)

    with op.batch_alter_table('call_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_events_received_at'))
        batch_op.drop_index('ix_call_events_number_occurred')

    op.drop_table('call_events')
