"""Configuration read from the environment."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def database_url(raw: str | None) -> str:
    """The SQLAlchemy URL for DATABASE_URL; PostgreSQL goes through psycopg 3."""
    if not raw:
        return f"sqlite:///{INSTANCE_DIR / 'maillage.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def secret_key() -> str:
    """SECRET_KEY, or one generated on first start and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together keep the same key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip()


class Config:
    def __init__(self) -> None:
        self.SECRET_KEY = secret_key()
        self.SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        self.HOST = os.environ.get("HOST", "127.0.0.1")
        self.PORT = int(os.environ.get("PORT", "5000"))
        # Every link a message carries starts with it.
        self.PUBLIC_URL = (os.environ.get("PUBLIC_URL") or f"http://{self.HOST}:{self.PORT}").rstrip("/")
        # smtp://[user:password@]host:port (STARTTLS when offered) or smtps://...; unset,
        # messages are written as .eml files under MAIL_DIR, so a fresh `make run` needs
        # no mail server.
        self.MAIL_URL = os.environ.get("MAIL_URL") or None
        self.MAIL_FROM = os.environ.get("MAIL_FROM") or "Maillage <ne-pas-repondre@maillage.localhost>"
        self.MAIL_DIR = str(INSTANCE_DIR / "mail")
        # Who runs this instance, named on the legal notice, the personal-data and the
        # accessibility pages (the law asks every public service to name them).
        self.SITE_OPERATOR = os.environ.get("SITE_OPERATOR") or "l'exploitant de cette instance de Maillage"
        self.SITE_CONTACT = os.environ.get("SITE_CONTACT") or ""
        # Map tiles for the ANCT map; empty = the map draws without a background.
        self.MAP_TILE_URL = os.environ.get(
            "MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        )
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE") == "1"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.SQLALCHEMY_ENGINE_OPTIONS: dict = {}
        # No body we accept comes near it; Werkzeug answers 413 past it without reading more.
        self.MAX_CONTENT_LENGTH = 2 * 1024 * 1024
        self.WTF_CSRF_TIME_LIMIT = None
        self.JSON_SORT_KEYS = False
        # Failed log-ins within LOGIN_WINDOW_SECONDS: per (email, client address), per client
        # across emails, and a per-email ceiling above which only clients that have not
        # failed may still try (so an attacker cannot lock the owner out).
        self.LOGIN_MAX_FAILURES = 10
        self.LOGIN_CLIENT_MAX_FAILURES = 20
        self.LOGIN_EMAIL_MAX_FAILURES = 100
        self.LOGIN_WINDOW_SECONDS = 15 * 60
        self.API_TOKEN_LIFETIME_DAYS = int(os.environ.get("API_TOKEN_LIFETIME_DAYS", "365"))
        # How many reverse proxies in front set X-Forwarded-For (docs/deploy.md); 0 trusts none.
        self.TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
        self.SOCKETIO_ASYNC_MODE = "threading"
