"""session cancellation: a cancelled training session stays, with its cancelled bookings

Revision ID: 3c41e0d7a9b2
Revises: 8576a5da5b48
Create Date: 2026-12-01 11:50:00

"""
from alembic import op
import sqlalchemy as sa

import models.base

# revision identifiers, used by Alembic.
revision = '3c41e0d7a9b2'
down_revision = '3f6c1d2a9b7e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
