"""Security headers on every response, a strict CSP, and templates that need no inline code."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from hub.security import content_security_policy, tile_source

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

EXPECTED = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
}
STRICT_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(policy: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


def assert_security_headers(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    policy = directives(response.headers["Content-Security-Policy"])
    for name, value in STRICT_DIRECTIVES.items():
        assert policy[name] == value, name
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert len(response.headers.getlist("Content-Security-Policy")) == 1


def test_a_page_carries_the_security_headers(client):
    response = client.get("/connexion")
    assert response.status_code == 200
    assert_security_headers(response)


def test_an_api_response_carries_the_security_headers(client):
    response = client.get("/api/v1/places")
    assert response.status_code in (200, 401)
    assert_security_headers(response)


def test_a_static_file_carries_the_security_headers(client):
    response = client.get("/static/js/network.js")
    assert response.status_code == 200
    assert_security_headers(response)
    response.close()


def test_a_404_page_and_a_404_in_the_api_carry_the_security_headers(client):
    for path in ("/nulle-part", "/api/v1/nulle-part"):
        response = client.get(path)
        assert response.status_code == 404
        assert_security_headers(response)


def test_a_405_carries_the_security_headers(client):
    response = client.delete("/connexion")
    assert response.status_code == 405
    assert_security_headers(response)


def test_an_internal_error_page_carries_the_security_headers(app, client):
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    app.add_url_rule("/boum", view_func=boom)
    response = client.get("/boum")
    assert response.status_code == 500
    assert_security_headers(response)


def test_the_socketio_polling_endpoint_carries_the_security_headers(client):
    response = client.get("/socket.io/?EIO=4&transport=polling")
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("0{")  # an Engine.IO handshake
    assert_security_headers(response)


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/connexion").headers


@pytest.mark.parametrize("app_config", [{"SESSION_COOKIE_SECURE": True}])
def test_hsts_when_cookies_are_secure(client):
    for path in ("/connexion", "/api/v1/places", "/static/js/network.js"):
        response = client.get(path)
        hsts = response.headers.get("Strict-Transport-Security", "")
        assert re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts), path
        assert int(hsts.split("=")[1].split(";")[0]) >= 31536000
        response.close()


@pytest.mark.parametrize("app_config", [{"MAP_TILE_URL": "https://{s}.tile.example.org/{z}/{x}/{y}.png"}])
def test_the_map_tile_host_is_the_only_outside_image_source(client):
    policy = directives(client.get("/connexion").headers["Content-Security-Policy"])
    assert policy["img-src"].split() == ["'self'", "data:", "https://*.tile.example.org"]


@pytest.mark.parametrize("app_config", [{"MAP_TILE_URL": ""}])
def test_no_outside_image_source_without_tiles(client):
    policy = directives(client.get("/connexion").headers["Content-Security-Policy"])
    assert policy["img-src"].split() == ["'self'", "data:"]


@pytest.mark.parametrize(("url", "source"), [
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
    ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
    ("http://tiles.example.org:8080/{z}/{x}/{y}.png", "http://tiles.example.org:8080"),
    ("https://a.{s}.example.org/{z}/{x}/{y}.png", "https:"),
    ("javascript:alert(1)", None),
    ("", None),
])
def test_tile_source_admits_the_tiles_and_nothing_else(url, source):
    assert tile_source(url) == source
    policy = content_security_policy(url)
    assert ("'unsafe-inline'" in policy) is False
    if source:
        assert source in directives(policy)["img-src"].split()


# ---- templates: nothing the CSP would block, nothing that needs 'unsafe-inline'

SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.S | re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.S | re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.S | re.I)
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def template_files() -> list[Path]:
    """The pages' templates. E-mail templates (templates/mail/) are never served under the
    CSP: their <style> is inlined into style attributes when a message is rendered."""
    return sorted(p for p in TEMPLATES.rglob("*.html") if p.relative_to(TEMPLATES).parts[0] != "mail")


def test_templates_have_no_inline_script_style_or_handler():
    offenders = []
    for path in template_files():
        text = JINJA_COMMENT.sub("", path.read_text(encoding="utf-8"))
        name = path.relative_to(TEMPLATES)
        offenders += [f"{name}: <script> with content" for m in SCRIPT.finditer(text) if m.group(1).strip()]
        offenders += [f"{name}: <style>" for _ in STYLE_ELEMENT.finditer(text)]
        offenders += [f"{name}: style attribute" for _ in STYLE_ATTRIBUTE.finditer(text)]
        offenders += [f"{name}: inline event handler" for _ in EVENT_HANDLER.finditer(text)]
        offenders += [f"{name}: javascript: URL" for _ in JS_URL.finditer(text)]
    assert template_files() and not offenders, offenders


def test_the_checks_catch_what_they_look_for():
    # The template scan above passes only if these patterns can fail.
    assert SCRIPT.search('<script type="application/json" id="x">{"a": 1}</script>').group(1)
    assert not SCRIPT.search('<script src="/static/js/live.js"></script>').group(1).strip()
    assert STYLE_ATTRIBUTE.search('<div class="a"\n  style="color: red">')
    assert EVENT_HANDLER.search('<img src="x" onerror="alert(1)">')
    assert not EVENT_HANDLER.search('<form method="post" action="/x" novalidate>')


def test_dashboard_hands_its_data_over_in_attributes(client, auth, make):
    make.user(email="anct@example.org", role="anct")
    hub = make.fabrique(name="Fabrique <b>d'Ici</b>")
    make.booking(make.resource(hub), make.place(name="<img src=x onerror=alert(1)>"), beneficiaries=4)
    auth.login("anct@example.org")
    html = client.get("/reseau").get_data(as_text=True)
    assert "data-map='" in html and "data-charts='" in html
    assert "<img src=x" not in html and "<b>d'Ici" not in html
    assert not [m for m in SCRIPT.finditer(html) if m.group(1).strip()]


# ---- `python app.py` does not announce Werkzeug


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_python_app_py_does_not_announce_werkzeug(tmp_path):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "SECRET_KEY": "tests-only",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/js/live.js", timeout=5)
                break
            except (ConnectionError, urllib.error.URLError):
                assert process.poll() is None and time.monotonic() < deadline, "app.py did not start"
                time.sleep(0.2)
        with response:
            server = response.headers.get("Server", "")
            assert "Werkzeug" not in server and "Python" not in server, server
            assert response.headers["X-Content-Type-Options"] == "nosniff"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/nulle-part", timeout=5)
        assert "Werkzeug" not in missing.value.headers.get("Server", "")
        assert missing.value.headers["X-Frame-Options"] == "DENY"
        missing.value.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_nginx_repeats_the_apps_headers_on_the_static_files_it_serves(app):  # type: ignore[no-untyped-def]
    # In production nginx answers /static/ itself: its headers must be the app's own.
    from hub.security import security_headers

    conf = (Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf").read_text()
    static = conf.split("location /static/", 1)[1].split("}", 1)[0]
    sent = dict(re.findall(r'add_header ([\w-]+) "?(.*?)"? always;', static))
    app.config.update(MAP_TILE_URL="", SESSION_COOKIE_SECURE=True)
    assert sent == dict(security_headers(app))
