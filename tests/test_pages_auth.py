"""Pages: register, log in, log out, throttling, cookies, CSRF."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub.extensions import db
from models import User
from tests.conftest import PASSWORD


def test_register_page_creates_the_account_and_logs_in(client):
    assert client.get("/inscription").status_code == 200
    response = client.post("/inscription", data={
        "name": "Claire Martin", "email": "Claire@Example.org", "password": "un-mot-de-passe"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/lieux/")
    page = client.get("/lieux/").get_data(as_text=True)
    assert "Claire Martin" in page


def test_register_form_error_keeps_typed_values_and_shows_the_error_beside_the_field(client, app):
    response = client.post("/inscription", data={
        "name": "Claire Martin", "email": "claire@example.org", "password": "court"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Claire Martin"' in html
    assert 'value="claire@example.org"' in html
    assert 'id="f-password-error"' in html and "au moins 10 caractères" in html
    assert 'aria-invalid="true"' in html
    assert "court" not in html.split('id="f-password"')[1].split(">")[0]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_register_an_existing_email_shows_it_beside_the_email_field(client, make):
    make.user(email="claire@example.org")
    response = client.post("/inscription", data={
        "name": "Claire", "email": "CLAIRE@example.org", "password": "un-mot-de-passe"})
    assert response.status_code == 409
    assert 'id="f-email-error"' in response.get_data(as_text=True)


def test_login_then_logout(client, make, auth):
    make.user(email="a@example.org", name="Alice")
    response = auth.login("a@example.org")
    assert response.status_code == 302
    assert "Alice" in client.get("/").get_data(as_text=True)
    response = auth.logout()
    assert response.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "Se connecter" in html and "Alice" not in html
    assert client.get("/lieux/").status_code == 302


def test_logout_is_post_only(client):
    assert client.get("/deconnexion").status_code == 405


def test_wrong_password_shows_a_french_message_without_saying_which_part(client, make, auth):
    make.user(email="a@example.org")
    wrong = auth.login("a@example.org", "mauvais-mot-de-passe")
    unknown = auth.login("personne@example.org")
    assert wrong.status_code == unknown.status_code == 401
    message = "Adresse électronique ou mot de passe incorrect."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert 'value="a@example.org"' in wrong.get_data(as_text=True)


def test_login_page_is_throttled_after_ten_failures_with_a_french_429(client, make, auth):
    make.user(email="a@example.org")
    for _ in range(10):
        assert auth.login("a@example.org", "mauvais-mot-de-passe").status_code == 401
    response = auth.login("a@example.org")
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)


def test_api_and_page_failures_count_together(client, make, auth):
    make.user(email="a@example.org")
    for _ in range(5):
        client.post("/api/v1/tokens", json={"email": "a@example.org", "password": "mauvais-mot-de-passe"})
    for _ in range(5):
        auth.login("a@example.org", "mauvais-mot-de-passe")
    assert auth.login("a@example.org").status_code == 429


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/ressources?type=machine", "/ressources?type=machine"),
        ("https://evil.example/", "/mon-espace"),
        ("//evil.example/", "/mon-espace"),
        ("/\\evil.example", "/mon-espace"),
        ("javascript:alert(1)", "/mon-espace"),
    ],
)
def test_login_follows_only_a_relative_next(client, make, next_url, expected):
    make.user(email="a@example.org")
    response = client.post("/connexion", data={"email": "a@example.org", "password": PASSWORD,
                                               "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_a_protected_page_sends_to_login_and_back(client, make):
    make.user(email="a@example.org")
    response = client.get("/lieux/")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/connexion?next=")
    page = client.get(login_url).get_data(as_text=True)
    assert 'name="next" value="/lieux/"' in page
    response = client.post("/connexion", data={"email": "a@example.org", "password": PASSWORD,
                                               "next": "/lieux/"})
    assert response.headers["Location"] == "/lieux/"


def test_session_cookie_is_httponly_and_samesite_lax(client, make, auth):
    make.user(email="a@example.org")
    response = auth.login("a@example.org")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):  # type: ignore[no-untyped-def]
        return {"WTF_CSRF_ENABLED": True}

    def test_a_form_post_without_csrf_token_is_refused_and_creates_nothing(self, client, app):
        response = client.post("/inscription", data={
            "name": "Claire", "email": "claire@example.org", "password": "un-mot-de-passe"})
        assert response.status_code == 400
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0

    def test_the_same_form_with_the_page_token_is_accepted(self, client):
        import re

        page = client.get("/inscription").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post("/inscription", data={
            "csrf_token": token, "name": "Claire", "email": "claire@example.org",
            "password": "un-mot-de-passe"})
        assert response.status_code == 302
