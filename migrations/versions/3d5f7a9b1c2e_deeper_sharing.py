"""deeper sharing: loans, series, expiring qualifications, recognitions across hubs

Revision ID: 3d5f7a9b1c2e
Revises: 8576a5da5b48
Create Date: 2026-12-01 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base

# revision identifiers, used by Alembic.
revision = '3d5f7a9b1c2e'
down_revision = '3c9d4e2a7b10'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('machine', 'space', 'training', 'incubation')"
NEW_KINDS = "kind IN ('machine', 'space', 'training', 'incubation', 'loan')"
OLD_STATUSES = "status IN ('pending', 'confirmed', 'refused', 'cancelled', 'waitlisted')"
NEW_STATUSES = "status IN ('pending', 'confirmed', 'refused', 'cancelled', 'waitlisted', 'out', 'returned')"
EXCLUDE = (
    "ALTER TABLE bookings ADD CONSTRAINT ex_bookings_no_overlap"
    " EXCLUDE USING gist (resource_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)"
    " WHERE (exclusive AND status IN ({}))"
)


def _exclude(statuses):
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE bookings DROP CONSTRAINT ex_bookings_no_overlap")
        op.execute(EXCLUDE.format(statuses))


def upgrade():
    op.create_table('booking_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('every', sa.String(length=8), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("every IN ('day', 'week')", name=op.f('ck_booking_series_every_known')),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_booking_series_place_id_places'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_booking_series_resource_id_resources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_booking_series_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_series'))
    )
    with op.batch_alter_table('booking_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_series_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_series_resource_id'), ['resource_id'], unique=False)

    op.create_table('recognitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('recognized_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('training_id <> recognized_id', name=op.f('ck_recognitions_not_itself')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_recognitions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recognized_id'], ['resources.id'], name=op.f('fk_recognitions_recognized_id_resources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['training_id'], ['resources.id'], name=op.f('fk_recognitions_training_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognitions')),
    sa.UniqueConstraint('training_id', 'recognized_id', name='uq_recognitions_pair')
    )
    with op.batch_alter_table('recognitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recognitions_recognized_id'), ['recognized_id'], unique=False)

    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qualification_valid_days', sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_resources_kind_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_resources_kind_known'), NEW_KINDS)
        batch_op.create_check_constraint(
            batch_op.f('ck_resources_validity_positive'),
            'qualification_valid_days IS NULL OR qualification_valid_days > 0')

    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expiry_notified_at', models.base.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_out_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('returned_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('return_condition', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('due_notified_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('overdue_notified_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_bookings_series_id'), ['series_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_bookings_series_id_booking_series'), 'booking_series',
                                    ['series_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_constraint(batch_op.f('ck_bookings_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_bookings_status_known'), NEW_STATUSES)
    # An out loan holds its unit like a confirmed booking.
    _exclude("'pending', 'confirmed', 'out'")


def downgrade():
    _exclude("'pending', 'confirmed'")
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_bookings_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_bookings_status_known'), OLD_STATUSES)
        batch_op.drop_constraint(batch_op.f('fk_bookings_series_id_booking_series'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_bookings_series_id'))
        for name in ('series_id', 'overdue_notified_at', 'due_notified_at', 'return_condition',
                     'returned_at', 'checked_out_at'):
            batch_op.drop_column(name)

    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.drop_column('expiry_notified_at')

    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_resources_validity_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_resources_kind_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_resources_kind_known'), OLD_KINDS)
        batch_op.drop_column('qualification_valid_days')

    with op.batch_alter_table('recognitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recognitions_recognized_id'))
    op.drop_table('recognitions')
    with op.batch_alter_table('booking_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_series_resource_id'))
        batch_op.drop_index(batch_op.f('ix_booking_series_place_id'))
    op.drop_table('booking_series')
