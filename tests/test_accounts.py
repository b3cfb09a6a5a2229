"""Accounts through the API: registration, tokens, /me, login throttling."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from hub.extensions import db
from models import ApiToken, AuditEntry, LoginFailure, User, utcnow
from tests.conftest import PASSWORD

GOOD = {"email": "Claire.Martin@Example.org", "password": "un-mot-de-passe", "name": "Claire Martin"}


def users_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_register_returns_the_account_with_its_email_lowercased(client, app):
    response = client.post("/api/v1/accounts", json=GOOD)
    assert response.status_code == 201
    body = response.get_json()
    assert body == {"id": body["id"], "email": "claire.martin@example.org", "name": "Claire Martin"}
    with app.app_context():
        user = db.session.get(User, body["id"])
        assert user.password_hash.startswith("scrypt:")
        assert "un-mot-de-passe" not in user.password_hash
        assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.object_id == user.id)) == "user.created"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "pas-une-adresse"}, "email"),
        ({"email": ""}, "email"),
        ({"password": "court"}, "password"),
        ({"password": 1234567890123}, "password"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
    ],
)
def test_register_with_a_bad_field_is_422_naming_it_and_creates_nothing(client, app, change, field):
    response = client.post("/api/v1/accounts", json={**GOOD, **change})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    with app.app_context():
        assert users_count() == 0


def test_register_without_a_name_is_422(client):
    body = {k: v for k, v in GOOD.items() if k != "name"}
    response = client.post("/api/v1/accounts", json=body)
    assert response.status_code == 422
    assert "name" in response.get_json()["error"]["fields"]


def test_register_an_existing_email_in_other_case_is_409_duplicate(client, make):
    make.user(email="claire.martin@example.org")
    response = client.post("/api/v1/accounts", json=GOOD)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "duplicate"
    assert users_count() == 1


@pytest.mark.parametrize("body", ["pas du json", "[1, 2]", "null"])
def test_register_with_a_body_that_is_not_a_json_object_is_400(client, body):
    response = client.post("/api/v1/accounts", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_token_then_me_shows_roles_and_places(client, make):
    user = make.user(email="gestion@example.org", role="anct")
    make.place(slug="le-lieu", managers=[user])
    response = client.post("/api/v1/tokens", json={"email": "GESTION@example.org", "password": PASSWORD})
    assert response.status_code == 201
    token = response.get_json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.get_json() == {
        "id": user.id,
        "email": "gestion@example.org",
        "name": user.name,
        "roles": ["anct"],
        "email_verified": False,
        "places": [{"slug": "le-lieu", "role": "manager"}],
    }


def test_token_is_stored_only_as_its_hash(client, make, auth):
    make.user(email="a@example.org")
    token = auth.token("a@example.org")
    stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert len(stored) == 1 and stored[0] != token and len(stored[0]) == 64


def test_me_without_a_valid_token_is_401(client):
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer pas-un-jeton"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"


def test_wrong_password_and_unknown_email_get_the_same_401(client, make):
    make.user(email="a@example.org")
    wrong = client.post("/api/v1/tokens", json={"email": "a@example.org", "password": "mauvais-mot-de-passe"})
    unknown = client.post("/api/v1/tokens", json={"email": "personne@example.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["error"]["code"] == "unauthenticated"


def test_token_with_credentials_of_wrong_types_is_401_not_500(client):
    response = client.post("/api/v1/tokens", json={"email": ["a"], "password": {"x": 1}})
    assert response.status_code == 401


def fail(client, email: str, times: int) -> None:
    for _ in range(times):
        response = client.post("/api/v1/tokens", json={"email": email, "password": "mauvais-mot-de-passe"})
        assert response.status_code == 401


def test_the_eleventh_attempt_after_ten_failures_is_429_even_with_the_right_password(client, make):
    make.user(email="a@example.org")
    fail(client, "a@example.org", 10)
    response = client.post("/api/v1/tokens", json={"email": "a@example.org", "password": "mauvais-mot-de-passe"})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    right = client.post("/api/v1/tokens", json={"email": "A@example.org", "password": PASSWORD})
    assert right.status_code == 429


def test_failures_are_recorded_although_the_request_fails(client, make):
    fail(client, "a@example.org", 3)
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginFailure).where(LoginFailure.email == "a@example.org")
    )
    assert count == 3


def test_throttling_of_one_email_does_not_affect_another(client, make, auth):
    make.user(email="b@example.org")
    fail(client, "a@example.org", 10)
    assert auth.token("b@example.org")


def test_throttling_lifts_once_the_window_has_passed(client, make, app, auth):
    make.user(email="a@example.org")
    window = app.config["LOGIN_WINDOW_SECONDS"]
    old = utcnow() - timedelta(seconds=window + 5)
    db.session.add_all([LoginFailure(email="a@example.org", at=old) for _ in range(12)])
    db.session.commit()
    assert auth.token("a@example.org")


def test_failures_within_the_window_still_throttle(client, make, app):
    make.user(email="a@example.org")
    recent = utcnow() - timedelta(seconds=app.config["LOGIN_WINDOW_SECONDS"] - 60)
    db.session.add_all([LoginFailure(email="a@example.org", client="127.0.0.1", at=recent)
                        for _ in range(10)])
    db.session.commit()
    response = client.post("/api/v1/tokens", json={"email": "a@example.org", "password": PASSWORD})
    assert response.status_code == 429
    # The window frees when the oldest of the ten leaves it, about 60 s from now.
    assert 55 <= int(response.headers["Retry-After"]) <= 60


def test_concurrent_registrations_of_one_email_give_one_account_and_409s(app):
    import threading

    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def register() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post("/api/v1/accounts", json=GOOD).status_code)

    threads = [threading.Thread(target=register) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 5
    with app.app_context():
        assert users_count() == 1


# --- flask create-user --------------------------------------------------------------------

def test_create_user_command_creates_an_admin_who_can_get_a_token(runner, app, auth):
    result = runner.invoke(args=["create-user", "Admin@Example.org", "--password", "un-mot-de-passe",
                                 "--name", "Admine", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert "admin@example.org" in result.output
    token = auth.token("admin@example.org", "un-mot-de-passe")
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["roles"] == ["admin"]


def test_create_user_command_with_a_short_password_fails_with_a_clear_message(runner, app):
    result = runner.invoke(args=["create-user", "a@example.org", "--password", "court", "--name", "A"])
    assert result.exit_code != 0
    assert "10 caractères" in result.output
    with app.app_context():
        assert users_count() == 0


def test_create_user_command_with_an_existing_email_says_so(runner, make):
    make.user(email="a@example.org")
    result = runner.invoke(args=["create-user", "A@example.org", "--password", "un-mot-de-passe",
                                 "--name", "A"])
    assert result.exit_code != 0
    assert "existe déjà" in result.output


def test_create_user_command_refuses_an_unknown_role(runner):
    result = runner.invoke(args=["create-user", "a@example.org", "--password", "un-mot-de-passe",
                                 "--name", "A", "--role", "roi"])
    assert result.exit_code != 0
