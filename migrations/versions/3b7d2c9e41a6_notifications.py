"""notifications: preferences per user, when each booking's reminder went out, and the
worker's jobs (messages still to be built)

Revision ID: 3b7d2c9e41a6
Revises: 8576a5da5b48
Create Date: 2026-12-01 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base

# revision identifiers, used by Alembic.
revision = '3b7d2c9e41a6'
down_revision = '8576a5da5b48'
branch_labels = None
depends_on = None

REMINDER_DUE = "status = 'confirmed' AND reminded_at IS NULL"


def upgrade():
    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('booking_requests', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('booking_updates', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('reminders', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_preferences'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_bookings_reminder_due', ['start_at'], unique=False,
                              sqlite_where=sa.text(REMINDER_DUE), postgresql_where=sa.text(REMINDER_DUE))
    op.create_table('outbox_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.CheckConstraint("kind IN ('booking.created')", name=op.f('ck_outbox_jobs_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_jobs'))
    )


def downgrade():
    op.drop_table('outbox_jobs')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_reminder_due')
        batch_op.drop_column('reminded_at')

    op.drop_table('notification_preferences')
