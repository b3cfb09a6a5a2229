"""analytics clock: a change number on the all-time totals and the monthly counters

Revision ID: 5a9e3c7d1f20
Revises: 6a2e4c8d1f35
Create Date: 2026-12-01 14:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5a9e3c7d1f20'
down_revision = '6a2e4c8d1f35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('analytics_clock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.Column('epoch', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_clock'))
    )
    with op.batch_alter_table('analytics_totals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_analytics_totals_seq'), ['seq'], unique=False)
    with op.batch_alter_table('analytics_months', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_analytics_months_seq'), ['seq'], unique=False)


def downgrade():
    with op.batch_alter_table('analytics_months', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytics_months_seq'))
        batch_op.drop_column('seq')
    with op.batch_alter_table('analytics_totals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytics_totals_seq'))
        batch_op.drop_column('seq')
    op.drop_table('analytics_clock')
