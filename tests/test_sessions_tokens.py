"""Sessions the server ends, API tokens that expire and can be revoked, login throttling
that an attacker cannot turn against the owner (issue 16, findings 5 and 6)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from hub.extensions import db, socketio
from models import ApiToken, LoginFailure, utcnow
from tests.conftest import PASSWORD
from tests import factories
from tests.factories import api_token

WRONG = "mauvais-mot-de-passe"
NEW_PASSWORD = "un-tout-nouveau-mot-de-passe"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def logged_in(client) -> bool:  # type: ignore[no-untyped-def]
    """Whether the client's cookie opens a page that needs a login."""
    return client.get("/compte").status_code == 200


def token_row(token: str) -> ApiToken:
    from hub.services.accounts import hash_token

    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    assert row is not None
    return row


# --- sessions ---------------------------------------------------------------------------------
# These tests make their users in an app context of their own and send requests outside it
# (not through `make`, which holds one for the whole test): requests that share an app
# context share `g`, where Flask-Login keeps the user it loaded, and the user_loader under
# test would not run again.

def new_user(app, **params) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return factories.user(**params).id


def log_in(client, email: str = "a@example.org", password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/connexion", data={"email": email, "password": password})


def test_a_session_cookie_replayed_after_logout_is_refused(app, client):
    new_user(app, email="a@example.org")
    log_in(client)
    stolen = client.get_cookie("session").value
    assert logged_in(client)
    response = client.post("/deconnexion")
    assert "sur tous les appareils" in client.get(response.headers["Location"]).get_data(as_text=True)
    client.set_cookie("session", stolen)
    response = client.get("/compte")
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")


def test_logout_ends_the_sessions_of_other_browsers_too(app, client):
    new_user(app, email="a@example.org")
    other = app.test_client()
    log_in(other)
    assert logged_in(other)
    log_in(client)
    client.post("/deconnexion")
    assert not logged_in(other)


def test_a_socket_with_a_session_cookie_replayed_after_logout_is_refused(app, client):
    new_user(app, email="a@example.org")
    log_in(client)
    stolen = client.get_cookie("session").value
    assert socketio.test_client(app, flask_test_client=client).is_connected()
    client.post("/deconnexion")
    client.set_cookie("session", stolen)
    assert not socketio.test_client(app, flask_test_client=client).is_connected()


def test_a_password_change_ends_other_sessions_and_keeps_this_one(app, client):
    new_user(app, email="a@example.org")
    other = app.test_client()
    log_in(other)
    log_in(client)
    before = client.get_cookie("session").value
    response = client.post("/compte/mot-de-passe", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Vos autres sessions sont fermées" in client.get("/compte").get_data(as_text=True)
    assert logged_in(client)
    assert not logged_in(other)
    client.set_cookie("session", before)
    assert not logged_in(client)
    fresh = app.test_client()
    assert log_in(fresh).status_code == 401
    assert log_in(fresh, password=NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"current_password": WRONG, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
     "current_password", "Ce n'est pas votre mot de passe actuel."),
    ({"current_password": PASSWORD, "new_password": "court", "new_password_confirm": "court"},
     "new_password", "au moins 10 caractères"),
    ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD + "x"},
     "new_password_confirm", "ne sont pas identiques"),
])
def test_a_wrong_password_change_shows_the_error_beside_the_field_and_changes_nothing(
        app, client, form, field, message):
    new_user(app, email="a@example.org")
    other = app.test_client()
    log_in(other)
    log_in(client)
    response = client.post("/compte/mot-de-passe", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="f-password-{field}-error"' in html and message.replace("'", "&#39;") in html
    assert logged_in(client) and logged_in(other)
    assert log_in(app.test_client()).status_code == 302


def test_wrong_current_passwords_on_the_account_page_are_throttled_like_log_ins(app, client):
    new_user(app, email="a@example.org")
    log_in(client)
    form = {"current_password": WRONG, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    for _ in range(10):
        assert client.post("/compte/mot-de-passe", data=form).status_code == 422
    response = client.post("/compte/mot-de-passe", data={**form, "current_password": PASSWORD})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Trop de tentatives" in response.get_data(as_text=True)
    elsewhere = app.test_client().post("/connexion", data={"email": "a@example.org", "password": NEW_PASSWORD},
                                       environ_overrides={"REMOTE_ADDR": "198.51.100.7"})
    assert elsewhere.status_code == 401


def test_the_header_links_the_user_name_to_the_account_page(client, make, auth):
    make.user(email="a@example.org", name="Alice")
    auth.login("a@example.org")
    assert 'href="/compte"' in client.get("/").get_data(as_text=True)


# --- API tokens -------------------------------------------------------------------------------

def test_a_new_token_says_when_it_expires_a_year_ahead(client, make, auth):
    from hub.timeutil import parse_datetime

    make.user(email="a@example.org")
    response = client.post("/api/v1/tokens", json={"email": "a@example.org", "password": PASSWORD})
    assert response.status_code == 201
    expires = parse_datetime(response.get_json()["expires_at"])
    assert abs(expires - (utcnow() + timedelta(days=365))) < timedelta(minutes=1)


@pytest.mark.parametrize("app_config", [{"API_TOKEN_LIFETIME_DAYS": 30}])
def test_the_token_lifetime_is_configurable(client, make, auth):
    from hub.timeutil import parse_datetime

    make.user(email="a@example.org")
    response = client.post("/api/v1/tokens", json={"email": "a@example.org", "password": PASSWORD})
    expires = parse_datetime(response.get_json()["expires_at"])
    assert abs(expires - (utcnow() + timedelta(days=30))) < timedelta(minutes=1)


def test_an_expired_token_is_401(client, make, auth):
    make.user(email="a@example.org")
    token = auth.token("a@example.org")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    token_row(token).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"


def test_an_expired_token_cannot_open_a_socket(app, make):
    user = make.user()
    token = api_token(user)
    token_row(token).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not socketio.test_client(app, auth={"token": token}).is_connected()


def test_the_token_list_shows_the_callers_own_tokens_and_marks_the_current_one(client, make, auth):
    alice, bob = make.user(email="a@example.org"), make.user(email="b@example.org")
    first, second = api_token(alice), auth.token("a@example.org")
    api_token(bob)
    response = client.get("/api/v1/tokens", headers=bearer(second))
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 2
    assert [item["id"] for item in body["items"]] == [token_row(second).id, token_row(first).id]
    assert [item["current"] for item in body["items"]] == [True, False]
    assert set(body["items"][0]) == {"id", "created_at", "expires_at", "last_used_at", "current"}
    assert first not in response.get_data(as_text=True) and second not in response.get_data(as_text=True)


def test_a_revoked_token_is_401_afterwards(client, make, auth):
    alice = make.user(email="a@example.org")
    keep, revoked = api_token(alice), api_token(alice)
    revoked_id = token_row(revoked).id
    response = client.delete(f"/api/v1/tokens/{revoked_id}", headers=bearer(keep))
    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=bearer(revoked)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(keep)).status_code == 200


def test_a_token_can_revoke_itself(client, make):
    token = api_token(make.user())
    assert client.delete(f"/api/v1/tokens/{token_row(token).id}", headers=bearer(token)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("token_id", ["other", "999999", "99999999999999999999999", "abc"])
def test_revoking_another_users_or_an_unknown_token_is_404_and_revokes_nothing(client, make, token_id):
    mine, theirs = api_token(make.user()), api_token(make.user())
    if token_id == "other":
        token_id = str(token_row(theirs).id)
    response = client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(mine))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/me", headers=bearer(theirs)).status_code == 200


def test_token_use_is_recorded_at_most_once_an_hour(client, make):
    token = api_token(make.user())
    assert token_row(token).last_used_at is None
    client.get("/api/v1/me", headers=bearer(token))
    db.session.expire_all()
    first = token_row(token).last_used_at
    assert first is not None and utcnow() - first < timedelta(minutes=1)
    client.get("/api/v1/me", headers=bearer(token))
    db.session.expire_all()
    assert token_row(token).last_used_at == first
    token_row(token).last_used_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    client.get("/api/v1/me", headers=bearer(token))
    db.session.expire_all()
    assert utcnow() - token_row(token).last_used_at < timedelta(minutes=1)


def test_the_account_page_lists_tokens_and_revokes_one(client, make, auth):
    alice = make.user(email="a@example.org")
    token = api_token(alice)
    token_id = token_row(token).id
    auth.login("a@example.org")
    html = client.get("/compte").get_data(as_text=True)
    assert f'data-token="{token_id}"' in html and "jamais" in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    response = client.post(f"/compte/jetons/{token_id}/revoquer")
    assert response.status_code == 302
    assert "Le jeton est révoqué" in client.get("/compte").get_data(as_text=True)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_the_account_page_cannot_revoke_another_users_token(client, make, auth):
    make.user(email="a@example.org")
    theirs = api_token(make.user())
    auth.login("a@example.org")
    response = client.post(f"/compte/jetons/{token_row(theirs).id}/revoquer")
    assert response.status_code == 302
    assert "Ce jeton n&#39;existe pas." in client.get("/compte").get_data(as_text=True)
    assert client.get("/api/v1/me", headers=bearer(theirs)).status_code == 200


# --- throttling -------------------------------------------------------------------------------

def post_token(client, email: str, password: str, address: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/tokens", json={"email": email, "password": password},
                       environ_overrides={"REMOTE_ADDR": address})


def test_an_attacker_failing_ten_times_does_not_lock_the_owner_out_elsewhere(client, make):
    make.user(email="a@example.org")
    for _ in range(10):
        assert post_token(client, "a@example.org", WRONG, "203.0.113.9").status_code == 401
    assert post_token(client, "a@example.org", PASSWORD, "203.0.113.9").status_code == 429
    assert post_token(client, "a@example.org", PASSWORD, "198.51.100.7").status_code == 201
    login = client.post("/connexion", data={"email": "a@example.org", "password": PASSWORD},
                        environ_overrides={"REMOTE_ADDR": "198.51.100.7"})
    assert login.status_code == 302


def test_one_client_trying_many_addresses_is_throttled_with_retry_after(client, make):
    statuses = [post_token(client, f"victime{n}@example.org", WRONG, "203.0.113.9").status_code
                for n in range(30)]
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}
    response = post_token(client, "autre@example.org", WRONG, "203.0.113.9")
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert post_token(client, "autre@example.org", WRONG, "198.51.100.7").status_code == 401


def test_above_the_email_ceiling_only_clients_that_have_not_failed_may_try(app, client, make):
    make.user(email="a@example.org")
    ceiling = app.config["LOGIN_EMAIL_MAX_FAILURES"]
    db.session.add_all([LoginFailure(email="a@example.org", client=f"10.0.{n // 250}.{n % 250}")
                        for n in range(ceiling)])
    db.session.commit()
    refused = post_token(client, "a@example.org", PASSWORD, "10.0.0.1")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert post_token(client, "a@example.org", PASSWORD, "198.51.100.7").status_code == 201


def test_the_login_page_429_carries_retry_after(client, make, auth):
    make.user(email="a@example.org")
    for _ in range(10):
        auth.login("a@example.org", WRONG)
    response = auth.login("a@example.org")
    assert response.status_code == 429
    assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "réessayez dans 15 min" in response.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(client, make):
    make.user(email="a@example.org")
    for _ in range(10):
        response = client.post("/api/v1/tokens", json={"email": "a@example.org", "password": WRONG},
                               headers={"X-Forwarded-For": "203.0.113.9"})
        assert response.status_code == 401
    ok = client.post("/api/v1/tokens", json={"email": "a@example.org", "password": PASSWORD},
                     headers={"X-Forwarded-For": "198.51.100.7"})
    assert ok.status_code == 201
    clients = set(db.session.scalars(sa.select(LoginFailure.client)))
    assert clients == {"203.0.113.9"}
