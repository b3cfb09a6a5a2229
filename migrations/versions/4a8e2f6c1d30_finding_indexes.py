"""finding indexes: who holds a period across the network (long bookings by end, sessions by start)

Revision ID: 4a8e2f6c1d30
Revises: 3c41e0d7a9b2
Create Date: 2026-12-01 15:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '4a8e2f6c1d30'
down_revision = '3c41e0d7a9b2'
branch_labels = None
depends_on = None

# As in models.bookings.LONG_BOOKING_SQL (a migration does not import the models it follows).
LONG_BOOKING_SQLITE = "julianday(end_at) - julianday(start_at) > 0.5"
LONG_BOOKING_POSTGRESQL = "end_at - start_at > interval '12 hours'"


def upgrade():
    op.create_index('ix_bookings_long_end', 'bookings', ['end_at'], unique=False,
                    sqlite_where=sa.text(LONG_BOOKING_SQLITE),
                    postgresql_where=sa.text(LONG_BOOKING_POSTGRESQL))
    op.create_index('ix_training_sessions_start_at', 'training_sessions', ['start_at'], unique=False)


def downgrade():
    op.drop_index('ix_training_sessions_start_at', table_name='training_sessions')
    op.drop_index('ix_bookings_long_end', table_name='bookings')
