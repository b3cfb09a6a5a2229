"""Notification preferences (API and "Mes notifications") and the one-click unsubscribe link."""
from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from hub.extensions import db
from hub.services import notifications
from models import NotificationPreference, OutboxMessage, utcnow
from tests.test_booking_messages import build_jobs

PUBLIC_URL = "https://maillage.test"
DEFAULTS = {"booking_requests": True, "booking_updates": True, "reminders": True}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"PUBLIC_URL": PUBLIC_URL}


def preferences(user_id: int) -> dict[str, bool]:
    db.session.rollback()
    row = db.session.get(NotificationPreference, user_id)
    result = DEFAULTS if row is None else {k: getattr(row, k) for k in DEFAULTS}
    db.session.rollback()
    return dict(result)


def test_preferences_are_all_on_by_default_and_a_patch_returns_the_whole_object(client, make):  # type: ignore[no-untyped-def]
    user = make.user()
    headers = make.api_headers(user)
    assert client.get("/api/v1/me/notifications", headers=headers).get_json() == DEFAULTS

    response = client.patch("/api/v1/me/notifications", json={"reminders": False}, headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {**DEFAULTS, "reminders": False}
    response = client.patch("/api/v1/me/notifications", json={"booking_updates": False, "other": 1}, headers=headers)
    assert response.get_json() == {"booking_requests": True, "booking_updates": False, "reminders": False}
    assert client.get("/api/v1/me/notifications", headers=headers).get_json() == response.get_json()
    assert client.get("/api/v1/me/notifications").status_code == 401


@pytest.mark.parametrize("payload, field", [
    ({"reminders": "false"}, "reminders"),
    ({"reminders": False, "booking_updates": 0}, "booking_updates"),
    ({"booking_request": False}, "booking_request"),  # misspelt: names no preference
])
def test_a_bad_patch_is_422_with_its_field_and_changes_nothing(client, make, payload, field):  # type: ignore[no-untyped-def]
    user = make.user()
    response = client.patch("/api/v1/me/notifications", json=payload, headers=make.api_headers(user))

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert preferences(user.id) == DEFAULTS


def test_the_account_page_links_to_my_notifications_whose_form_saves_them(client, auth, make):  # type: ignore[no-untyped-def]
    user = make.user()
    auth.login(user.email)
    assert 'href="/compte/notifications"' in client.get("/compte").get_data(as_text=True)
    page = client.get("/compte/notifications").get_data(as_text=True)
    assert page.count("checked") == 3

    # Unticked boxes are absent from the form.
    response = client.post("/compte/notifications", data={"booking_requests": "1"}, follow_redirects=True)
    assert "Vos préférences de notification sont enregistrées." in response.get_data(as_text=True)
    assert preferences(user.id) == {"booking_requests": True, "booking_updates": False, "reminders": False}
    assert client.get("/compte/notifications").get_data(as_text=True).count("checked") == 1


def test_the_preferences_form_needs_its_csrf_token_but_the_unsubscribe_link_does_not(app, client, auth, make):  # type: ignore[no-untyped-def]
    user = make.user()
    url = notifications.unsubscribe_url(user, "reminders").removeprefix(PUBLIC_URL)
    auth.login(user.email)
    app.config["WTF_CSRF_ENABLED"] = True

    assert client.post("/compte/notifications", data={}).status_code == 400
    assert preferences(user.id) == DEFAULTS
    # A mail client: no session, no token.
    assert app.test_client().post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert preferences(user.id) == {**DEFAULTS, "reminders": False}


def _booking_message(client: Any, make: Any) -> tuple[Any, Any, email.message.EmailMessage]:
    booker = make.user(email="camille@tl.fr")
    hub = make.fabrique(managers=[make.user()])
    tl = make.place(members=[booker])
    machine = make.resource(hub)
    start = (utcnow() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    response = client.post(f"/api/v1/resources/{machine.id}/bookings", headers=make.api_headers(booker),
                           json={"place": tl.slug, "start": start.isoformat(),
                                 "end": (start + timedelta(hours=1)).isoformat()})
    assert response.status_code == 201
    build_jobs()
    raw = db.session.scalars(sa.select(OutboxMessage.raw).order_by(OutboxMessage.id.desc())).first()
    db.session.rollback()
    return booker, machine, email.message_from_bytes(raw, policy=email.policy.default)


def test_one_click_unsubscribe_from_a_message_turns_its_category_off_without_logging_in(client, make):  # type: ignore[no-untyped-def]
    booker, machine, message = _booking_message(client, make)
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{PUBLIC_URL}/desabonnement/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.get_body(("plain",)).get_content()

    # What a mail client sends (RFC 8058): a POST with this body, no cookie.
    response = client.post(link.removeprefix(PUBLIC_URL), data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "Désabonnement enregistré" in response.get_data(as_text=True)
    assert preferences(booker.id) == {**DEFAULTS, "booking_updates": False}
    # Again is harmless.
    assert client.post(link.removeprefix(PUBLIC_URL)).status_code == 200

    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    start = (utcnow() + timedelta(days=4)).replace(hour=9, minute=0, second=0, microsecond=0)
    response = client.post(f"/api/v1/resources/{machine.id}/bookings", headers=make.api_headers(booker),
                           json={"place": booker.memberships[0].place.slug, "start": start.isoformat(),
                                 "end": (start + timedelta(hours=1)).isoformat()})
    assert response.status_code == 201
    assert build_jobs() == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == before


def test_opening_the_unsubscribe_link_only_asks_for_confirmation(client, make):  # type: ignore[no-untyped-def]
    user = make.user()
    url = notifications.unsubscribe_url(user, "booking_requests").removeprefix(PUBLIC_URL)

    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Demandes à traiter" in page and "Me désabonner" in page and 'method="post"' in page
    assert preferences(user.id) == DEFAULTS


@pytest.mark.parametrize("damage", ["tampered", "other_category", "garbage"])
def test_a_forged_or_damaged_unsubscribe_link_is_refused_and_changes_nothing(client, make, damage):  # type: ignore[no-untyped-def]
    user = make.user()
    token = notifications.unsubscribe_url(user, "reminders").rsplit("/", 1)[1]
    payload, _, signature = token.partition(".")
    forged = {
        "tampered": payload + "." + signature[:-2] + ("AA" if not signature.endswith("AA") else "BB"),
        # A valid signature does not carry over to another payload.
        "other_category": notifications.unsubscribe_url(user, "booking_updates").rsplit("/", 1)[1].partition(".")[0]
                          + "." + signature,
        "garbage": "pas-un-jeton",
    }[damage]

    for method in (client.get, client.post):
        response = method(f"/desabonnement/{forged}")
        assert response.status_code == 404
        assert "Lien de désabonnement invalide" in response.get_data(as_text=True)
    assert preferences(user.id) == DEFAULTS
