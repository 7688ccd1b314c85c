"""A number's whole configuration: a business's own voice URL, and each number's managed fields as last
read from Twilio.

- businesses.voice_url: set by admins (https only) when a business's calls go elsewhere than
  TWILIO_VOICE_URL.
- phone_numbers.twilio_configuration: the managed fields (voice URL, fallback, status callback, SMS URL,
  their methods, voice application, SIP trunk) as Twilio last answered them; a re-sync's Activity says
  which it changed, from what to what.

Only columns are added (no table rebuild on SQLite), so the triggers on both tables stay; the downgrade
drops them with SQLite's own ALTER TABLE ... DROP COLUMN, which keeps them too.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 20:10:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('businesses', sa.Column('voice_url', sa.String(length=500), nullable=True))
    op.add_column(
        'phone_numbers',
        sa.Column(
            'twilio_configuration',
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=True,
        ),
    )


def downgrade():
    op.drop_column('phone_numbers', 'twilio_configuration')
    op.drop_column('businesses', 'voice_url')
