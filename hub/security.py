"""Security headers on every response, and a development server that does not announce itself.

The headers are added by a WSGI middleware around the final `app.wsgi_app` rather than in an
`after_request` hook: the Socket.IO endpoint is answered by Flask-SocketIO's own middleware
before Flask is reached, and a response that fails inside Flask's hooks skips them too.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.serving import WSGIRequestHandler

logger = logging.getLogger(__name__)

# Two years, the preload list's minimum; only ever sent when cookies are Secure (HTTPS).
HSTS = "max-age=63072000; includeSubDomains"

StartResponse = Callable[..., Any]


def content_security_policy(tile_url: str | None) -> str:
    """The policy for every page: only our own scripts and styles, none inline.

    Leaflet, Chart.js and Cytoscape set element styles through the CSSOM (`el.style.x = ...`),
    which `style-src 'self'` allows; none of them needs 'unsafe-inline' or 'unsafe-eval'.
    """
    img = ["'self'", "data:"]
    tiles = tile_source(tile_url)
    if tiles:
        img.append(tiles)
    directives = [
        ("default-src", "'self'"),
        ("script-src", "'self'"),
        ("style-src", "'self'"),
        ("img-src", " ".join(img)),
        ("connect-src", "'self'"),
        ("font-src", "'self'"),
        ("object-src", "'none'"),
        ("base-uri", "'self'"),
        ("form-action", "'self'"),
        ("frame-ancestors", "'none'"),
    ]
    return "; ".join(f"{name} {value}" for name, value in directives)


def tile_source(tile_url: str | None) -> str | None:
    """The CSP source that admits the tiles of a Leaflet URL template such as
    `https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png` (-> `https://*.tile.openstreetmap.org`).

    A placeholder in the leftmost label becomes CSP's `*.` wildcard; a placeholder anywhere
    else in the host cannot be expressed as a host source, so the scheme alone is admitted.
    """
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    host = parts.netloc.rpartition("@")[2].lower()
    if parts.scheme not in ("http", "https") or not host:
        logger.warning("MAP_TILE_URL %r is not an http(s) URL: tiles are not allowed", tile_url)
        return None
    first, dot, rest = host.partition(".")
    if "{" in first:
        first = "*"
    if "{" in rest or (first == "*" and not dot):
        return f"{parts.scheme}:"
    return f"{parts.scheme}://{first}{dot}{rest}"


def security_headers(app: Flask) -> list[tuple[str, str]]:
    headers = [
        ("Content-Security-Policy", content_security_policy(app.config.get("MAP_TILE_URL"))),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    if app.config.get("SESSION_COOKIE_SECURE"):
        headers.append(("Strict-Transport-Security", HSTS))
    return headers


class SecurityHeadersMiddleware:
    """Sets the given headers on every response, replacing any a view or library set:
    the policy is decided here, once."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], headers: list[tuple[str, str]]):
        self.wsgi_app = wsgi_app
        self.headers = headers
        self._names = {name.lower() for name, _ in headers}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in response_headers if k.lower() not in self._names]
            return start_response(status, kept + self.headers, exc_info)

        return self.wsgi_app(environ, start)


class UnbrandedRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler for `python app.py`, without `Server: Werkzeug/x Python/y`
    (a free hint of what to attack)."""

    server_version = "Maillage"  # type: ignore[assignment]  (a property upstream; also SERVER_SOFTWARE)

    def version_string(self) -> str:
        return self.server_version


def init_security(app: Flask) -> None:
    """Call last in create_app, once Socket.IO has wrapped `app.wsgi_app`."""
    headers = security_headers(app)
    app.wsgi_app = SecurityHeadersMiddleware(app.wsgi_app, headers)  # type: ignore[method-assign]
