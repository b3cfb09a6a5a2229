"""bookings by start, covering on PostgreSQL: a period's holders are read from the index alone

Revision ID: 7b1d4f9e2a63
Revises: 5a9e3c7d1f20
Create Date: 2026-12-01 18:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '7b1d4f9e2a63'
down_revision = '5a9e3c7d1f20'
branch_labels = None
depends_on = None

# As in models.bookings (SQLite has no INCLUDE: its index stays on start_at alone).
COVERED = ['end_at', 'resource_id', 'quantity', 'status']


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_bookings_start_at', table_name='bookings')
    op.create_index('ix_bookings_start_at', 'bookings', ['start_at'], unique=False, postgresql_include=COVERED)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_bookings_start_at', table_name='bookings')
    op.create_index('ix_bookings_start_at', 'bookings', ['start_at'], unique=False)
