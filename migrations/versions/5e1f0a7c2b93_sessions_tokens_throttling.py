"""Session versions, API token expiry, client address of failed log-ins

Revision ID: 5e1f0a7c2b93
Revises: c0109e946ed9
Create Date: 2026-12-01 08:45:00.000000

"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa

import models.base

# revision identifiers, used by Alembic.
revision = '5e1f0a7c2b93'
down_revision = 'c0109e946ed9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=True))
    # Tokens issued before expiry existed get a year from now, the default lifetime.
    tokens = sa.table('api_tokens', sa.column('expires_at', models.base.UTCDateTime(timezone=True)))
    op.execute(tokens.update().values(expires_at=datetime.now(timezone.utc) + timedelta(days=365)))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=models.base.UTCDateTime(timezone=True),
                              nullable=False)

    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client', sa.String(length=64), server_default='', nullable=False))
        batch_op.create_index('ix_login_failures_client_at', ['client', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failures_client_at')
        batch_op.drop_column('client')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
