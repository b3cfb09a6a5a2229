"""analytics: max_beneficiaries per resource, flow aggregates (monthly, all time, per month and place), bookings by start

Revision ID: a7c3e91f2d40
Revises: 8576a5da5b48
Create Date: 2026-12-01 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'a7c3e91f2d40'
down_revision = '3d5f7a9b1c2e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_beneficiaries', sa.Integer(), server_default='100', nullable=False))
        batch_op.create_check_constraint(op.f('ck_resources_max_beneficiaries_positive'), 'max_beneficiaries >= 1')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_start_at', ['start_at'], unique=False)
    op.create_table('analytics_flows',
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('bookings', sa.Integer(), nullable=False),
    sa.Column('beneficiaries', sa.BigInteger(), nullable=False),
    sa.Column('verified', sa.BigInteger(), nullable=False),
    sa.Column('seconds', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('bookings >= 0', name=op.f('ck_analytics_flows_bookings_positive')),
    sa.CheckConstraint('beneficiaries >= 0', name=op.f('ck_analytics_flows_beneficiaries_positive')),
    sa.CheckConstraint('verified >= 0', name=op.f('ck_analytics_flows_verified_positive')),
    sa.CheckConstraint('seconds >= 0', name=op.f('ck_analytics_flows_seconds_positive')),
    sa.ForeignKeyConstraint(['host_id'], ['places.id'], name=op.f('fk_analytics_flows_host_id_places'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_analytics_flows_place_id_places'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('host_id', 'place_id', 'month', 'kind', name=op.f('pk_analytics_flows'))
    )
    op.create_index('ix_analytics_flows_month', 'analytics_flows', ['month'], unique=False)
    op.create_table('analytics_totals',
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('bookings', sa.Integer(), nullable=False),
    sa.Column('beneficiaries', sa.BigInteger(), nullable=False),
    sa.Column('verified', sa.BigInteger(), nullable=False),
    sa.Column('seconds', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('bookings >= 0', name=op.f('ck_analytics_totals_bookings_positive')),
    sa.CheckConstraint('beneficiaries >= 0', name=op.f('ck_analytics_totals_beneficiaries_positive')),
    sa.CheckConstraint('verified >= 0', name=op.f('ck_analytics_totals_verified_positive')),
    sa.CheckConstraint('seconds >= 0', name=op.f('ck_analytics_totals_seconds_positive')),
    sa.ForeignKeyConstraint(['host_id'], ['places.id'], name=op.f('fk_analytics_totals_host_id_places'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_analytics_totals_place_id_places'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('host_id', 'place_id', 'kind', name=op.f('pk_analytics_totals'))
    )
    op.create_table('analytics_months',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('bookings', sa.Integer(), nullable=False),
    sa.Column('beneficiaries', sa.BigInteger(), nullable=False),
    sa.Column('verified', sa.BigInteger(), nullable=False),
    sa.Column('seconds', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('bookings >= 0', name=op.f('ck_analytics_months_bookings_positive')),
    sa.CheckConstraint('beneficiaries >= 0', name=op.f('ck_analytics_months_beneficiaries_positive')),
    sa.CheckConstraint('verified >= 0', name=op.f('ck_analytics_months_verified_positive')),
    sa.CheckConstraint('seconds >= 0', name=op.f('ck_analytics_months_seconds_positive')),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_analytics_months_place_id_places'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('month', 'place_id', name=op.f('pk_analytics_months'))
    )
    op.create_index(op.f('ix_analytics_months_place_id'), 'analytics_months', ['place_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_analytics_months_place_id'), table_name='analytics_months')
    op.drop_table('analytics_months')
    op.drop_table('analytics_totals')
    op.drop_index('ix_analytics_flows_month', table_name='analytics_flows')
    op.drop_table('analytics_flows')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_start_at')
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_resources_max_beneficiaries_positive'), type_='check')
        batch_op.drop_column('max_beneficiaries')
