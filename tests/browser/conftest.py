"""Playwright plumbing: Debian's Chromium, and the test's app served on a real port.

`playwright install` cannot download browsers here, so the tests drive /usr/bin/chromium.
pytest-playwright wants `base_url` for the whole session while each test gets a fresh
`app` (and database): one server runs for the session and hands every request to the app
of the test that is running.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is missing (Debian package chromium, see `make system-deps`)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class _QuietRequestHandler(WSGIRequestHandler):
    """Logs errors only, not a line per request."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class _CurrentApp:
    """WSGI app that forwards to whichever Flask app the running test serves."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no app is being served: the test does not use live_server"]
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def _live_server() -> Iterator[tuple[str, _CurrentApp]]:
    current = _CurrentApp()
    server = make_server(
        "127.0.0.1", 0, current, threaded=True, request_handler=_QuietRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="live_server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", current
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def live_server(_live_server: tuple[str, _CurrentApp], app: Any) -> Iterator[str]:
    """Serve this test's `app`; yield the base URL (the browser's `base_url` too)."""
    url, current = _live_server
    current.app = app
    try:
        yield url
    finally:
        current.app = None


@pytest.fixture(scope="session")
def base_url(_live_server: tuple[str, _CurrentApp]) -> str:
    return _live_server[0]
