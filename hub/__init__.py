"""Maillage: the platform of France's Fabriques de territoire."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, request
from werkzeug.exceptions import HTTPException

from hub.config import INSTANCE_DIR, Config
from hub.db import configure_engine, create_extensions, write_intent
from hub.extensions import csrf, db, login_manager, migrate, socketio
from hub.security import init_security

ROOT = Path(__file__).resolve().parent.parent
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
logger = logging.getLogger(__name__)


def create_app(config_overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(Config())
    if config_overrides:
        app.config.update(config_overrides)

    _engine_options(app)
    import models  # noqa: F401  (registers every table on the metadata)

    db.init_app(app)
    create_extensions(db.metadata)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    _init_login(app)
    _init_socketio(app)

    @app.before_request
    def _declare_write_intent() -> None:
        write_intent.set(request.method not in READ_METHODS)

    from hub.api import bp as api_bp
    from hub.web import register_web

    app.register_blueprint(api_bp)
    register_web(app)
    _init_errors(app)

    from hub.cli import register_cli

    register_cli(app)
    init_security(app)
    return app


def _engine_options(app: Flask) -> None:
    """Connection options by database.

    SQLite: a pool as large as the writers that may queue at once. With the default 5 + 10
    overflow, 8 concurrent writers keep opening and closing overflow connections (each runs
    the PRAGMAs of hub/db.py) instead of reusing them. An in-memory SQLite database uses a
    single-connection pool that takes no such options.

    PostgreSQL: sessions in UTC, whatever the server's default (added to any `options` the
    URL gives). The driver then reads each timestamp as a UTC datetime, which the UTC
    columns keep as they come (models.base.UTCDateTime), instead of one in the server's
    zone: searches and reports read them by the thousand."""
    url = str(app.config.get("SQLALCHEMY_DATABASE_URI") or "")
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if url.startswith("postgresql"):
        connect_args = dict(options.get("connect_args") or {})
        given = connect_args.get("options") or sa.engine.make_url(url).query.get("options") or ""
        if isinstance(given, tuple):  # ?options=…&options=…
            given = " ".join(given)
        connect_args["options"] = f"{given} -c TimeZone=UTC".strip()
        options["connect_args"] = connect_args
    elif url.startswith("sqlite") and ":memory:" not in url and url.rstrip("/") not in ("sqlite:", "sqlite://"):
        options.setdefault("pool_size", 20)
        options.setdefault("max_overflow", 80)
    else:
        return
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _init_login(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"

    # Login throttling counts failures per client address: behind a reverse proxy that
    # address is the proxy's unless its X-Forwarded-For is trusted.
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        """The user of a session or remember-me cookie, "<id>:<session_version>" (User.get_id):
        a cookie of an older version (before a log-out or a password change) is refused."""
        user_id, _, version = session_id.partition(":")
        try:
            user = db.session.get(User, int(user_id))
            return user if user is not None and version == str(user.session_version) else None
        except (ValueError, OverflowError, sa.exc.SQLAlchemyError):
            return None


def _init_socketio(app: Flask) -> None:
    # Imported before the first init_app: handlers declared while no server exists are
    # kept by the extension and registered on the server of every app created later.
    from hub import sockets  # noqa: F401  (connect handler, rooms)
    from hub.services import realtime

    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config.get("REDIS_URL"),
        logger=False,
        engineio_logger=False,
    )

    realtime.bind(socketio)


def _init_errors(app: Flask) -> None:
    from hub.api.errors import http_error_json, internal_error_json
    from hub.web.errors import http_error_page, internal_error_page

    def wants_json() -> bool:
        return request.path.startswith("/api/")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        if error.code and error.code < 400:
            return error
        body, status = http_error_json(error) if wants_json() else http_error_page(error)
        response = app.make_response((body, status))
        # Werkzeug's own headers (Allow on a 405, Retry-After on a 429) belong to the
        # answer whatever the body: only its Content-Type is replaced by ours.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def internal_error(error: Exception):  # type: ignore[no-untyped-def]
        logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return internal_error_json() if wants_json() else internal_error_page()
