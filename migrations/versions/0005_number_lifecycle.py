"""A number's whole life: its history, when a business was cancelled, and move/replace jobs.

- number_history: the numbers businesses no longer have (released, or moved to another business).
- businesses.cancelled_at: when a business was cancelled, for RELEASE_CANCELLED_AFTER_DAYS; a business
  already cancelled gets its last update's time, the best estimate there is.
- activities.kind gains 'move' and 'replace'.
- uq_activities_number_change_in_flight: at most one provision, release, move or replace in flight per
  business, so a release and a provision never interleave (see models/activity.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OLD_KINDS = ('provision', 'webhook_resync', 'webhook_check', 'resync_drifted', 'release', 'adopt')
NEW_KINDS = (*OLD_KINDS, 'move', 'replace')
NUMBER_CHANGES = "kind IN ('provision', 'release', 'move', 'replace') AND status IN ('queued', 'running')"


def kind_type(kinds):
    return sa.Enum(*kinds, name='activity_kind', native_enum=False, create_constraint=True, length=20)


def upgrade():
    op.create_table('number_history',
    sa.Column('event', sa.Enum('released', 'moved', name='number_event', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('e164', sa.String(length=16), nullable=False),
    sa.Column('twilio_sid', sa.String(length=34), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=True),
    sa.Column('business_name', sa.String(length=200), nullable=False),
    sa.Column('moved_to_id', sa.Uuid(), nullable=True),
    sa.Column('happened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('activity_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_number_history_activity_id_activities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_number_history_business_id_businesses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_number_history_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['moved_to_id'], ['businesses.id'], name=op.f('fk_number_history_moved_to_id_businesses'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_number_history'))
    )
    with op.batch_alter_table('number_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_number_history_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_number_history_e164'), ['e164'], unique=False)
        batch_op.create_index(batch_op.f('ix_number_history_event'), ['event'], unique=False)
        batch_op.create_index(batch_op.f('ix_number_history_happened_at'), ['happened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_number_history_moved_to_id'), ['moved_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_number_history_twilio_sid'), ['twilio_sid'], unique=False)

    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE businesses SET cancelled_at = updated_at WHERE status = 'cancelled'")

    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=kind_type(OLD_KINDS), type_=kind_type(NEW_KINDS), existing_nullable=False)
        batch_op.create_index('uq_activities_number_change_in_flight', ['business_id'], unique=True, postgresql_where=sa.text(NUMBER_CHANGES), sqlite_where=sa.text(NUMBER_CHANGES))


def downgrade():
    op.execute("DELETE FROM activities WHERE kind IN ('move', 'replace')")
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index('uq_activities_number_change_in_flight', postgresql_where=sa.text(NUMBER_CHANGES), sqlite_where=sa.text(NUMBER_CHANGES))
        batch_op.alter_column('kind', existing_type=kind_type(NEW_KINDS), type_=kind_type(OLD_KINDS), existing_nullable=False)

    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')

    op.drop_table('number_history')
