"""Emergency addresses: each business's service address, each number's emergency address at Twilio.

- businesses.address_street, address_city, address_region, address_postal_code: the service address (US);
  twilio_address_sid: the Twilio Address made from it for emergency calls.
- phone_numbers.emergency_address_sid, emergency_address_status (indexed: the "Not registered" filter and
  the dashboard's count), emergency_address_error: what Twilio last said of the number's emergency address.
- activities.kind also allows emergency_address (the CHECK constraint is rebuilt), at most one in flight
  per number (uq_activities_emergency_in_flight).

Only columns and indexes are added to businesses and phone_numbers (no table rebuild on SQLite), so their
triggers stay; the downgrade rebuilds them on SQLite and so puts the triggers back.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 20:00:00

"""
from alembic import op
import sqlalchemy as sa

from webapp.models import number_flag, release_guard


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

OLD_KINDS = (
    'provision', 'webhook_resync', 'webhook_check', 'resync_drifted', 'release', 'adopt', 'move', 'replace',
    'health_check', 'test_call', 'health_sweep',
)
NEW_KINDS = (*OLD_KINDS, 'emergency_address')
IN_FLIGHT = "kind = 'emergency_address' AND status IN ('queued', 'running')"


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
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_street', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('address_city', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('address_region', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('address_postal_code', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('twilio_address_sid', sa.String(length=34), nullable=True))
    with op.batch_alter_table('phone_numbers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emergency_address_sid', sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column('emergency_address_status', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('emergency_address_error', sa.Text(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_phone_numbers_emergency_address_status'), ['emergency_address_status'], unique=False
        )
    change_kinds(OLD_KINDS, NEW_KINDS)
    op.create_index(
        'uq_activities_emergency_in_flight', 'activities', ['phone_number_id'], unique=True,
        postgresql_where=sa.text(IN_FLIGHT), sqlite_where=sa.text(IN_FLIGHT),
    )


def triggers(kind):
    """The statements that drop or create the triggers on businesses and phone_numbers, on SQLite."""
    return [statement for module in (number_flag, release_guard) for statement in getattr(module, kind)['sqlite']]


def downgrade():
    op.drop_index('uq_activities_emergency_in_flight', table_name='activities')
    op.execute("DELETE FROM activities WHERE kind = 'emergency_address'")
    change_kinds(NEW_KINDS, OLD_KINDS)
    # SQLite drops columns by rebuilding the table, which the triggers do not survive: take them off first.
    on_sqlite = op.get_bind().dialect.name == 'sqlite'
    for statement in triggers('DROP_TRIGGERS') if on_sqlite else ():
        op.execute(statement)
    with op.batch_alter_table('phone_numbers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_numbers_emergency_address_status'))
        batch_op.drop_column('emergency_address_error')
        batch_op.drop_column('emergency_address_status')
        batch_op.drop_column('emergency_address_sid')
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.drop_column('twilio_address_sid')
        batch_op.drop_column('address_postal_code')
        batch_op.drop_column('address_region')
        batch_op.drop_column('address_city')
        batch_op.drop_column('address_street')
    for statement in triggers('CREATE_TRIGGERS') if on_sqlite else ():
        op.execute(statement)
