"""Fixtures: `app`, `client`, `runner`, `auth`, and the test database.

The suite runs once per database: TEST_DATABASE=sqlite (default) or postgresql
(then TEST_POSTGRES_URL, set by scripts/testservices.py, names a throwaway server).
"""
from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import before_render_template, got_request_exception, template_rendered

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "tests-only-secret")

from hub import create_app  # noqa: E402
from hub.extensions import db  # noqa: E402
from tests import factories  # noqa: E402

ON_CI = os.environ.get("CI") == "true"
PASSWORD = factories.PASSWORD


class QueryWhileRendering(AssertionError):
    """A template ran a query (a lazy load, most often): its page should have loaded it."""


_rendering = threading.local()
# What the guard refused, kept apart: the app turns the exception into its 500 page, and a
# test that asserts only a status would not see it. The app fixture fails the test on it.
refused_queries: list[str] = []


def _render_starts(sender: Any, template: Any, **extra: Any) -> None:
    _rendering.templates = [*getattr(_rendering, "templates", []), template.name or "<string>"]


def _render_ends(sender: Any, template: Any, **extra: Any) -> None:
    _rendering.templates = getattr(_rendering, "templates", [])[:-1]


@sa.event.listens_for(so.Session, "do_orm_execute")
def _no_query_while_rendering(state: so.ORMExecuteState) -> None:
    templates = getattr(_rendering, "templates", [])
    # A refresh of an object expired by a commit is no query of the template's making:
    # a test's app context shares its session (and its commits) with the requests it makes.
    if templates and not state.is_column_load:
        what = "a lazy load" if state.is_relationship_load else "a query"
        message = f"{what} while rendering {templates[-1]}: {str(state.statement)[:300]}"
        refused_queries.append(message)
        raise QueryWhileRendering(message)


# Every test app renders under the guard; weak=False: the receivers are module functions.
before_render_template.connect(_render_starts, weak=False)
template_rendered.connect(_render_ends, weak=False)
# A render that raised sends no template_rendered: the error page renders on a clean slate.
got_request_exception.connect(lambda sender, **extra: setattr(_rendering, "templates", []), weak=False)


def require_service(name: str, value: str | None) -> str:
    """A service the test needs: skip without it, but fail on CI."""
    if not value:
        message = f"{name} is not available (run the suite through `make test`)"
        if ON_CI:
            pytest.fail(message)
        pytest.skip(message)
    return value


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if os.environ.get("TEST_DATABASE", "sqlite") == "postgresql":
        return require_service("PostgreSQL (TEST_POSTGRES_URL)", os.environ.get("TEST_POSTGRES_URL"))
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'maillage-test.db'}"


@pytest.fixture(scope="session")
def _schema(database_url: str) -> Iterator[str]:
    """The schema, created once per run from the models (migrations are tested apart)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    yield database_url


def _empty_all_tables() -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                conn.execute(sa.text(f"DELETE FROM {name}"))


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Overrides for the app under test; a test module may override this fixture."""
    return {}


@pytest.fixture
def app(_schema: str, app_config: dict[str, Any]):  # type: ignore[no-untyped-def]
    config = {
        "SQLALCHEMY_DATABASE_URI": _schema,
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        "REDIS_URL": None,
    }
    config.update(app_config)
    app = create_app(config)
    # A render that raised never sent template_rendered: start each test with no template open.
    _rendering.templates = []
    refused_queries.clear()
    with app.app_context():
        _empty_all_tables()
    yield app
    if refused_queries:
        found, refused_queries[:] = list(refused_queries), []
        pytest.fail("A template queried the database:\n" + "\n".join(found), pytrace=False)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


class AuthActions:
    """Log in through the pages, or get an API token, as a given user."""

    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self._client = client

    def login(self, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        return self._client.post("/connexion", data={"email": email, "password": password})

    def logout(self):  # type: ignore[no-untyped-def]
        return self._client.post("/deconnexion")

    def token(self, email: str, password: str = PASSWORD) -> str:
        response = self._client.post("/api/v1/tokens", json={"email": email, "password": password})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["token"]

    def headers(self, email: str, password: str = PASSWORD) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(email, password)}"}


@pytest.fixture
def auth(client) -> AuthActions:  # type: ignore[no-untyped-def]
    return AuthActions(client)


@pytest.fixture
def make(app):  # type: ignore[no-untyped-def]
    """Factories bound to the app's database: make.user(...), make.place(...), ..."""
    with app.app_context():
        yield factories
