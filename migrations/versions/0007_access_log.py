"""Access log: sign-ins, refused sign-ins, sign-outs, role changes and (de)activations of users.

- access_events: what happened to which account (its e-mail copied), by whom, from which address, when.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 11:56:27.657988

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('access_events',
    sa.Column('kind', sa.Enum('signed_in', 'sign_in_refused', 'signed_out', 'role_changed', 'activated', 'deactivated', name='access_event_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('happened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('address', sa.String(length=45), nullable=True),
    sa.Column('detail', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_access_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_access_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_events'))
    )
    with op.batch_alter_table('access_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_events_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_events_happened_at'), ['happened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_events_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_events_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('access_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_access_events_kind'))
        batch_op.drop_index(batch_op.f('ix_access_events_happened_at'))
        batch_op.drop_index(batch_op.f('ix_access_events_email'))

    op.drop_table('access_events')
