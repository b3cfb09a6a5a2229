"""initial schema

Revision ID: c0109e946ed9
Revises: 
Create Date: 2026-11-22 04:38:33.207783

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import models.base

# revision identifiers, used by Alembic.
revision = 'c0109e946ed9'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_email_at', ['email', 'at'], unique=False)

    op.create_table('places',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('commune', sa.String(length=120), nullable=False),
    sa.Column('insee', sa.String(length=5), nullable=True),
    sa.Column('departement', sa.String(length=3), nullable=False),
    sa.Column('region', sa.String(length=2), nullable=False),
    sa.Column('territory', sa.String(length=8), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('legal_form', sa.String(length=16), nullable=True),
    sa.Column('label_wave', sa.Date(), nullable=True),
    sa.Column('subsidy_eur', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind <> 'tiers_lieu' OR (label_wave IS NULL AND subsidy_eur IS NULL)", name=op.f('ck_places_label_only_for_fabriques')),
    sa.CheckConstraint("kind IN ('tiers_lieu', 'fabrique', 'fabrique_numerique')", name=op.f('ck_places_kind_known')),
    sa.CheckConstraint("legal_form IS NULL OR legal_form IN ('association', 'fondation', 'entreprise', 'collectivite', 'gip_gie', 'syndicat_mixte', 'consortium')", name=op.f('ck_places_legal_form_known')),
    sa.CheckConstraint("territory IN ('qpv', 'rural', 'urbain')", name=op.f('ck_places_territory_known')),
    sa.CheckConstraint('lat BETWEEN -90 AND 90', name=op.f('ck_places_lat_range')),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_places_name_not_empty')),
    sa.CheckConstraint('lon BETWEEN -180 AND 180', name=op.f('ck_places_lon_range')),
    sa.CheckConstraint('subsidy_eur IS NULL OR subsidy_eur >= 0', name=op.f('ck_places_subsidy_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_places')),
    sa.UniqueConstraint('slug', name=op.f('uq_places_slug'))
    )
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_places_departement'), ['departement'], unique=False)
        batch_op.create_index('ix_places_kind_departement', ['kind', 'departement'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=True),
    sa.Column('calendar_token', sa.String(length=64), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IS NULL OR role IN ('admin', 'anct')", name=op.f('ck_users_role_known')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_users_email_lowercase')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('calendar_token', name=op.f('uq_users_calendar_token')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_log_object', ['object_type', 'object_id'], unique=False)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('manager', 'member')", name=op.f('ck_memberships_role_known')),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_memberships_place_id_places'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('user_id', 'place_id', name='uq_memberships_user_place')
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_place_id'), ['place_id'], unique=False)

    op.create_table('resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('requires_approval', sa.Boolean(), nullable=False),
    sa.Column('prerequisite_id', sa.Integer(), nullable=True),
    sa.Column('opening_hours', sa.JSON(), nullable=True),
    sa.Column('max_hours_per_week', sa.Float(), nullable=True),
    sa.Column('min_duration_minutes', sa.Integer(), nullable=True),
    sa.Column('max_duration_minutes', sa.Integer(), nullable=True),
    sa.Column('min_notice_minutes', sa.Integer(), nullable=True),
    sa.Column('archived_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('machine', 'space', 'training', 'incubation')", name=op.f('ck_resources_kind_known')),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_resources_capacity_positive')),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_resources_name_not_empty')),
    sa.CheckConstraint('max_duration_minutes IS NULL OR min_duration_minutes IS NULL OR max_duration_minutes >= min_duration_minutes', name=op.f('ck_resources_duration_bounds_ordered')),
    sa.CheckConstraint('max_hours_per_week IS NULL OR max_hours_per_week > 0', name=op.f('ck_resources_quota_positive')),
    sa.CheckConstraint('min_duration_minutes IS NULL OR min_duration_minutes > 0', name=op.f('ck_resources_min_duration_positive')),
    sa.CheckConstraint('min_notice_minutes IS NULL OR min_notice_minutes >= 0', name=op.f('ck_resources_notice_positive')),
    sa.CheckConstraint('prerequisite_id IS NULL OR prerequisite_id <> id', name=op.f('ck_resources_not_own_prerequisite')),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_resources_place_id_places'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['prerequisite_id'], ['resources.id'], name=op.f('fk_resources_prerequisite_id_resources'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resources'))
    )
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resources_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_resources_place_id'), ['place_id'], unique=False)

    op.create_table('closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('start_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_closures_period_ordered')),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_closures_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closures'))
    )
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closures_resource_id'), ['resource_id'], unique=False)

    op.create_table('qualifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('attendance', 'manual')", name=op.f('ck_qualifications_source_known')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_qualifications_granted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['training_id'], ['resources.id'], name=op.f('fk_qualifications_training_id_resources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_qualifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qualifications')),
    sa.UniqueConstraint('user_id', 'training_id', name='uq_qualifications_user_training')
    )
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qualifications_training_id'), ['training_id'], unique=False)

    op.create_table('training_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('start_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_training_sessions_period_ordered')),
    sa.CheckConstraint('seats >= 1', name=op.f('ck_training_sessions_seats_positive')),
    sa.CheckConstraint('seats_taken >= 0 AND seats_taken <= seats', name=op.f('ck_training_sessions_seats_not_oversold')),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_training_sessions_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions'))
    )
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_sessions_resource_id'), ['resource_id'], unique=False)

    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('start_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('beneficiaries', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('refusal_reason', sa.Text(), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('exclusive', sa.Boolean(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("attended IS NULL OR status = 'confirmed'", name=op.f('ck_bookings_attendance_only_when_confirmed')),
    sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'cancelled', 'waitlisted')", name=op.f('ck_bookings_status_known')),
    sa.CheckConstraint('beneficiaries IS NULL OR beneficiaries >= 0', name=op.f('ck_bookings_beneficiaries_positive')),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_bookings_period_ordered')),
    sa.CheckConstraint('quantity >= 1', name=op.f('ck_bookings_quantity_positive')),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_bookings_place_id_places'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_bookings_resource_id_resources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_bookings_session_id_training_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bookings_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        # Capacity-1 resources: no two active bookings may overlap (btree_gist).
        op.execute(
            "ALTER TABLE bookings ADD CONSTRAINT ex_bookings_no_overlap"
            " EXCLUDE USING gist (resource_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)"
            " WHERE (exclusive AND status IN ('pending', 'confirmed'))"
        )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_place_start', ['place_id', 'start_at'], unique=False)
        batch_op.create_index('ix_bookings_resource_end', ['resource_id', 'end_at', 'start_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_status'), ['status'], unique=False)
        batch_op.create_index('ix_bookings_updated_at', ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookings_user_id'))
        batch_op.drop_index('ix_bookings_updated_at')
        batch_op.drop_index(batch_op.f('ix_bookings_status'))
        batch_op.drop_index(batch_op.f('ix_bookings_session_id'))
        batch_op.drop_index('ix_bookings_resource_end')
        batch_op.drop_index('ix_bookings_place_start')

    op.drop_table('bookings')
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_sessions_resource_id'))

    op.drop_table('training_sessions')
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qualifications_training_id'))

    op.drop_table('qualifications')
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closures_resource_id'))

    op.drop_table('closures')
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resources_place_id'))
        batch_op.drop_index(batch_op.f('ix_resources_kind'))

    op.drop_table('resources')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_place_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_object')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))

    op.drop_table('audit_log')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_index('ix_places_kind_departement')
        batch_op.drop_index(batch_op.f('ix_places_departement'))

    op.drop_table('places')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failures_email_at')

    op.drop_table('login_failures')
