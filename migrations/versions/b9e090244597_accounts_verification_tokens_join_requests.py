"""accounts: email verification, one-time tokens (verification, reset, invitations), join requests

Existing accounts start unverified: nobody proved their address yet; the banner offers
the link.

Revision ID: b9e090244597
Revises: 8576a5da5b48
Create Date: 2026-12-01 11:27:44.389473

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = 'b9e090244597'
down_revision = '3b7d2c9e41a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('join_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_message', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'declined')", name=op.f('ck_join_requests_status_known')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_join_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_join_requests_place_id_places'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_join_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_join_requests'))
    )
    with op.batch_alter_table('join_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_join_requests_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_join_requests_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_join_requests_pending', ['place_id', 'user_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.create_table('one_time_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=8), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("purpose <> 'invitation' OR (place_id IS NOT NULL AND role IN ('manager', 'member'))", name=op.f('ck_one_time_tokens_invitation_names_place_and_role')),
    sa.CheckConstraint("purpose = 'invitation' OR user_id IS NOT NULL", name=op.f('ck_one_time_tokens_account_token_has_user')),
    sa.CheckConstraint("purpose IN ('verify', 'reset', 'invitation')", name=op.f('ck_one_time_tokens_purpose_known')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_one_time_tokens_email_lowercase')),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_one_time_tokens_place_id_places'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_one_time_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_one_time_tokens_token_hash'))
    )
    with op.batch_alter_table('one_time_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_one_time_tokens_email_purpose_created_at', ['email', 'purpose', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_one_time_tokens_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', models.base.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')

    with op.batch_alter_table('one_time_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_time_tokens_user_id'))
        batch_op.drop_index('ix_one_time_tokens_email_purpose_created_at')

    op.drop_table('one_time_tokens')
    with op.batch_alter_table('join_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_join_requests_pending', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_join_requests_user_id'))
        batch_op.drop_index(batch_op.f('ix_join_requests_place_id'))

    op.drop_table('join_requests')
