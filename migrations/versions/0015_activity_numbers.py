"""Activities name their numbers: activities.e164 (the number the job concerns, kept after its row goes)
and activities.new_e164 (the number a replacement bought), each indexed, so the Activity list shows and
searches them without a join.

The backfill reads what the Activities already recorded: the `e164` of their result (a release, move or
replacement names its number there, a provision the number it bought), else their number's row, else the
orphan they adopted or released; `new_e164` from a replacement's result. Activities with neither a number
nor a result (checks of every number, sweeps) are left alone, and the indexes are built after the backfill.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-06 20:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None

BACKFILL = {
    'postgresql': """
        UPDATE activities SET
            e164 = COALESCE(result->>'e164',
                            (SELECT e164 FROM phone_numbers WHERE phone_numbers.id = activities.phone_number_id),
                            result->'orphan'->>'e164'),
            new_e164 = result->>'new_e164'
        WHERE phone_number_id IS NOT NULL OR result IS NOT NULL
    """,
    'sqlite': """
        UPDATE activities SET
            e164 = COALESCE(json_extract(result, '$.e164'),
                            (SELECT e164 FROM phone_numbers WHERE phone_numbers.id = activities.phone_number_id),
                            json_extract(result, '$.orphan.e164')),
            new_e164 = json_extract(result, '$.new_e164')
        WHERE phone_number_id IS NOT NULL OR result IS NOT NULL
    """,
}


def upgrade():
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('e164', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('new_e164', sa.String(length=16), nullable=True))
    op.execute(BACKFILL[op.get_bind().dialect.name])
    with op.batch_alter_table('activities', schema=None) as batch_op:  # built once, after the backfill
        batch_op.create_index(batch_op.f('ix_activities_e164'), ['e164'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_new_e164'), ['new_e164'], unique=False)


def downgrade():
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activities_new_e164'))
        batch_op.drop_index(batch_op.f('ix_activities_e164'))
        batch_op.drop_column('new_e164')
        batch_op.drop_column('e164')
