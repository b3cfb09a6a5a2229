"""search columns: places' and resources' texts folded for accent-blind search

Revision ID: 3f6c1d2a9b7e
Revises: 8576a5da5b48
Create Date: 2026-12-01 11:40:00

"""
from alembic import op
import sqlalchemy as sa

from hub.rules.finding import search_key

# revision identifiers, used by Alembic.
revision = '3f6c1d2a9b7e'
down_revision = 'a7c3e91f2d40'
branch_labels = None
depends_on = None

# What each table's search column folds (hub.services.catalogue keeps them up to date).
FOLDED = {"places": ("name", "commune"), "resources": ("name", "description")}


def upgrade():
    conn = op.get_bind()
    for table, columns in FOLDED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
        rows = conn.execute(sa.text(f"SELECT id, {', '.join(columns)} FROM {table}")).all()
        if rows:
            conn.execute(sa.text(f"UPDATE {table} SET search_text = :key WHERE id = :id"),
                         [{"id": row[0], "key": search_key(*row[1:])} for row in rows])


def downgrade():
    for table in FOLDED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('search_text')
