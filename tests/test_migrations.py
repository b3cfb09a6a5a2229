"""The Alembic migrations build exactly the schema the models describe."""
from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from hub import create_app
from hub.extensions import db
from tests.conftest import require_service


@pytest.fixture
def empty_database_url(tmp_path):  # type: ignore[no-untyped-def]
    if os.environ.get("TEST_DATABASE", "sqlite") != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    admin_url = require_service("PostgreSQL (TEST_POSTGRES_ADMIN_URL)", os.environ.get("TEST_POSTGRES_ADMIN_URL"))
    name = f"maillage_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    url = sa.engine.make_url(admin_url).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


def test_upgrading_an_empty_database_gives_the_models_schema(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            tables = set(sa.inspect(conn).get_table_names())
        db.engine.dispose()
    assert diff == []
    assert {t.name for t in db.metadata.sorted_tables} <= tables


def test_postgresql_schema_has_the_no_overlap_constraint(empty_database_url):
    if not empty_database_url.startswith("postgresql"):
        pytest.skip("EXCLUDE constraints exist on PostgreSQL only")
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            names = set(conn.scalars(sa.text(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'bookings'::regclass AND contype = 'x'"
            )))
        db.engine.dispose()
    assert "ex_bookings_no_overlap" in names
