"""Number health: each number's failing webhook requests, and the health jobs' activity kinds.

- phone_numbers.webhook_failures, webhook_failure_code, webhook_failed_at: what the health sweep last found
  in Twilio's alerts for the number (how many failed webhook requests in the window, the last one's error
  code and time); webhook_failed_at is indexed for the "Webhook failing (24 h)" filter and count.
- activities.kind also allows health_check, test_call and health_sweep (the CHECK constraint is rebuilt).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 18:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OLD_KINDS = ('provision', 'webhook_resync', 'webhook_check', 'resync_drifted', 'release', 'adopt', 'move', 'replace')
NEW_KINDS = (*OLD_KINDS, 'health_check', 'test_call', 'health_sweep')


def kind_type(kinds):
    return sa.Enum(*kinds, name='activity_kind', native_enum=False, create_constraint=True, length=20)


def change_kinds(old, new):
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_activities_activity_kind'), 'activities', type_='check')
        listed = ', '.join(f"'{kind}'" for kind in new)
        op.create_check_constraint('activity_kind', 'activities', f'kind IN ({listed})')
        return
    with op.batch_alter_table('activities', schema=None, recreate='always') as batch_op:
        batch_op.alter_column('kind', existing_type=kind_type(old), type_=kind_type(new), existing_nullable=False)


def upgrade():
    with op.batch_alter_table('phone_numbers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('webhook_failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('webhook_failure_code', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('webhook_failed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_phone_numbers_webhook_failed_at'), ['webhook_failed_at'], unique=False)
    change_kinds(OLD_KINDS, NEW_KINDS)


def downgrade():
    op.execute(f"DELETE FROM activities WHERE kind IN ('health_check', 'test_call', 'health_sweep')")
    change_kinds(NEW_KINDS, OLD_KINDS)
    with op.batch_alter_table('phone_numbers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_numbers_webhook_failed_at'))
        batch_op.drop_column('webhook_failed_at')
        batch_op.drop_column('webhook_failure_code')
        batch_op.drop_column('webhook_failures')
