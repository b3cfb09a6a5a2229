"""places: identity and contact (address, postal code, SIRET or RNA, email, phone),
update date; commune, département, région and postal code filled from the INSEE code

Revision ID: 3c9d4e2a7b10
Revises: 8576a5da5b48
Create Date: 2026-12-01 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base
from hub.reference import communes

# revision identifiers, used by Alembic.
revision = '3c9d4e2a7b10'
down_revision = 'b9e090244597'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('postal_code', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('siret', sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column('rna', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=True))

    places = sa.table(
        'places', sa.column('id', sa.Integer), sa.column('insee', sa.String),
        sa.column('commune', sa.String), sa.column('departement', sa.String),
        sa.column('region', sa.String), sa.column('postal_code', sa.String),
        sa.column('created_at', models.base.UTCDateTime(timezone=True)),
        sa.column('updated_at', models.base.UTCDateTime(timezone=True)),
    )
    conn = op.get_bind()
    conn.execute(places.update().values(updated_at=places.c.created_at))
    # Where the INSEE code names a current commune, its name, département and région are
    # the reference's; the postal code only when the commune has a single one.
    for place_id, insee in conn.execute(sa.select(places.c.id, places.c.insee).where(places.c.insee.is_not(None))):
        found = communes.commune(insee)
        if found is None:
            continue
        values = {'commune': found.name, 'departement': found.departement, 'region': found.region}
        if len(found.postal_codes) == 1:
            values['postal_code'] = found.postal_codes[0]
        conn.execute(places.update().where(places.c.id == place_id).values(**values))

    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=models.base.UTCDateTime(timezone=True), nullable=False)
        batch_op.create_index(batch_op.f('ix_places_siret'), ['siret'], unique=False)
        batch_op.create_index(batch_op.f('ix_places_rna'), ['rna'], unique=False)
        batch_op.create_check_constraint('siret_length', 'siret IS NULL OR length(siret) = 14')
        batch_op.create_check_constraint('rna_length', 'rna IS NULL OR length(rna) = 10')
        batch_op.create_check_constraint('postal_code_length', 'postal_code IS NULL OR length(postal_code) = 5')


def downgrade():
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_places_postal_code_length'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_places_rna_length'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_places_siret_length'), type_='check')
        batch_op.drop_index(batch_op.f('ix_places_rna'))
        batch_op.drop_index(batch_op.f('ix_places_siret'))
        batch_op.drop_column('updated_at')
        batch_op.drop_column('phone')
        batch_op.drop_column('email')
        batch_op.drop_column('rna')
        batch_op.drop_column('siret')
        batch_op.drop_column('postal_code')
        batch_op.drop_column('address')
