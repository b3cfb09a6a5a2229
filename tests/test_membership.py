"""Members of a place: invitations of addresses without an account, the member_added
message, removal (never the last manager), and join requests; API and pages, with the
messages delivered to a real SMTP server and their links followed."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from hub.extensions import db
from models import JoinRequest, Membership, OutboxMessage, User
# The mail fixtures (a real SMTP server, the messages it received) are the recovery tests'.
from tests.test_account_recovery import PASSWORD, app_config, link_in, mailbox, smtp, token_of  # noqa: F401


def role_of(user_id: int, place_id: int) -> str | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Membership.role).where(
        Membership.user_id == user_id, Membership.place_id == place_id))


@pytest.fixture
def lieu(make):  # type: ignore[no-untyped-def]
    """A tiers-lieu with a manager, Gaëlle, and a member, Malo."""
    manager = make.user(email="gaelle@example.org", name="Gaëlle Le Goff")
    member = make.user(email="malo@example.org", name="Malo Kerjean")
    place = make.place(slug="ti-lab", name="Ti Lab", managers=[manager], members=[member])
    return place, manager, member


def invite(client, make, manager, email: str = "nouvelle@example.org", role: str = "member"):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/places/ti-lab/members", headers=make.api_headers(manager),
                       json={"email": email, "role": role})


# --- invitations ------------------------------------------------------------------------------

def test_inviting_an_unknown_address_answers_202_creates_no_account_and_sends_the_invitation(client, make, lieu, mailbox):  # type: ignore[no-untyped-def]
    place, manager, _ = lieu
    response = invite(client, make, manager, "Nouvelle@Example.org", "manager")
    assert response.status_code == 202
    assert response.get_json() == {"invited": "nouvelle@example.org", "role": "manager"}
    assert db.session.scalar(sa.select(User).where(User.email == "nouvelle@example.org")) is None
    message = mailbox.one("nouvelle@example.org", "place.invitation")
    assert "Ti Lab" in message["Subject"] and "Gaëlle Le Goff" in message["Subject"]
    assert "List-Unsubscribe" not in message
    page = client.get(link_in(message, "/invitation"))
    assert page.status_code == 200
    assert "Créer mon compte et rejoindre le lieu" in page.get_data(as_text=True)


def test_registering_with_the_invitation_joins_verified_and_sends_no_verification(client, make, lieu, mailbox):  # type: ignore[no-untyped-def]
    place, manager, _ = lieu
    invite(client, make, manager, role="manager")
    token = token_of(link_in(mailbox.one("nouvelle@example.org", "place.invitation"), "/invitation"))
    other = client.post("/api/v1/accounts", json={"email": "autre@example.org", "password": PASSWORD,
                                                  "name": "Autre", "invitation": token})
    assert other.status_code == 422 and "invitation" in other.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(User).where(User.email == "autre@example.org")) is None

    created = client.post("/api/v1/accounts", json={"email": "nouvelle@example.org", "password": PASSWORD,
                                                    "name": "Nouvelle Venue", "invitation": token})
    assert created.status_code == 201
    me = client.get("/api/v1/me", headers=make.api_headers(db.session.get(User, created.get_json()["id"])))
    assert me.get_json()["email_verified"] is True
    assert me.get_json()["places"] == [{"slug": "ti-lab", "role": "manager"}]
    assert mailbox.fetch() == []
    again = client.post("/api/v1/accounts", json={"email": "encore@example.org", "password": PASSWORD,
                                                  "name": "Encore", "invitation": token})
    assert again.status_code == 422 and "invitation" in again.get_json()["error"]["fields"]


def test_accepting_an_invitation_needs_the_invited_account(client, make, lieu, mailbox):  # type: ignore[no-untyped-def]
    place, manager, member = lieu
    invite(client, make, manager)
    token = token_of(link_in(mailbox.one("nouvelle@example.org", "place.invitation"), "/invitation"))
    invited = make.user(email="nouvelle@example.org")  # registered without the link meanwhile
    wrong = client.post("/api/v1/invitations/accept", headers=make.api_headers(member), json={"token": token})
    assert wrong.status_code == 403 and wrong.get_json()["error"]["code"] == "forbidden"
    forged = client.post("/api/v1/invitations/accept", headers=make.api_headers(invited), json={"token": "forge"})
    assert forged.status_code == 422 and "token" in forged.get_json()["error"]["fields"]
    assert client.post("/api/v1/invitations/accept", json={"token": token}).status_code == 401
    accepted = client.post("/api/v1/invitations/accept", headers=make.api_headers(invited), json={"token": token})
    assert accepted.status_code == 200 and accepted.get_json() == {"slug": "ti-lab", "role": "member"}
    assert role_of(invited.id, place.id) == "member"
    used = client.post("/api/v1/invitations/accept", headers=make.api_headers(invited), json={"token": token})
    assert used.status_code == 422


def test_the_invitation_page_creates_the_account_and_the_membership_at_once(app, client, make, lieu, mailbox):  # type: ignore[no-untyped-def]
    place, manager, _ = lieu
    invite(client, make, manager)
    url = link_in(mailbox.one("nouvelle@example.org", "place.invitation"), "/invitation")
    short = client.post("/invitation", data={"token": token_of(url), "name": "Nouvelle Venue", "password": "court"})
    assert short.status_code == 422
    done = client.post("/invitation", data={"token": token_of(url), "name": "Nouvelle Venue", "password": PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/lieux/ti-lab"
    user = db.session.scalar(sa.select(User).where(User.email == "nouvelle@example.org"))
    assert user.email_verified_at is not None and role_of(user.id, place.id) == "member"
    page = client.get("/lieux/ti-lab").get_data(as_text=True)
    assert "Quitter ce lieu" in page and 'id="verify-banner"' not in page
    assert mailbox.fetch() == []
    assert client.get(url).status_code == 422


def test_an_invited_address_that_has_an_account_logs_in_then_accepts_on_the_page(client, auth, make, lieu, mailbox):  # type: ignore[no-untyped-def]
    place, manager, _ = lieu
    invite(client, make, manager)
    url = link_in(mailbox.one("nouvelle@example.org", "place.invitation"), "/invitation")
    invited = make.user(email="nouvelle@example.org")
    page = client.get(url).get_data(as_text=True)
    assert "Un compte existe déjà avec cette adresse" in page and 'name="password"' not in page
    auth.login("malo@example.org")
    assert 'id="other-account"' in client.get(url).get_data(as_text=True)
    assert client.post("/invitation", data={"token": token_of(url)}).status_code == 403
    auth.logout()
    auth.login("nouvelle@example.org")
    assert "Accepter l'invitation" in client.get(url).get_data(as_text=True)
    assert client.post("/invitation", data={"token": token_of(url)}).status_code == 302
    assert role_of(invited.id, place.id) == "member"


def test_invitations_to_one_address_are_limited_to_five_an_hour(client, make, lieu, mailbox):  # type: ignore[no-untyped-def]
    _, manager, _ = lieu
    statuses = [invite(client, make, manager).status_code for _ in range(6)]
    assert statuses == [202] * 5 + [429]
    assert len(mailbox.fetch()) == 5


def test_adding_an_existing_account_still_answers_201_and_tells_them(client, make, lieu, mailbox):  # type: ignore[no-untyped-def]
    place, manager, member = lieu
    newcomer = make.user(email="nolwenn@example.org", name="Nolwenn")
    response = invite(client, make, manager, "nolwenn@example.org")
    assert response.status_code == 201 and response.get_json()["user"]["id"] == newcomer.id
    message = mailbox.one("nolwenn@example.org", "place.member_added")
    assert "Ti Lab" in message.get_body(("plain",)).get_content()
    # A role change is not a joining: no message.
    assert invite(client, make, manager, "malo@example.org", "manager").status_code == 201
    assert mailbox.fetch() == []


# --- removal ----------------------------------------------------------------------------------

def remove(client, make, actor, user_id: int, slug: str = "ti-lab"):  # type: ignore[no-untyped-def]
    return client.delete(f"/api/v1/places/{slug}/members/{user_id}", headers=make.api_headers(actor))


def test_a_manager_removes_a_member_and_a_member_may_leave(client, make, lieu):  # type: ignore[no-untyped-def]
    place, manager, member = lieu
    other = make.user(email="yann@example.org")
    make.place(slug="ailleurs", managers=[other])
    db.session.add(Membership(user_id=other.id, place_id=place.id, role="member"))
    db.session.commit()
    assert remove(client, make, member, other.id).status_code == 403
    assert remove(client, make, manager, other.id).status_code == 204
    assert role_of(other.id, place.id) is None
    assert remove(client, make, member, member.id).status_code == 204
    assert role_of(member.id, place.id) is None
    assert remove(client, make, manager, member.id).status_code == 404
    assert remove(client, make, manager, "abc").status_code == 404
    assert remove(client, make, manager, manager.id, slug="nulle-part").status_code == 404


@pytest.mark.parametrize(("role", "status"), [("admin", 204), ("anct", 403)])
def test_admins_remove_members_and_anct_does_not(client, make, lieu, role, status):  # type: ignore[no-untyped-def]
    place, _, member = lieu
    boss = make.user(email=f"{role}@example.org", role=role)
    assert remove(client, make, boss, member.id).status_code == status
    assert (role_of(member.id, place.id) is None) == (status == 204)


def test_the_last_manager_is_never_removed(client, make, lieu):  # type: ignore[no-untyped-def]
    place, manager, member = lieu
    admin = make.user(email="admin@example.org", role="admin")
    for actor in (manager, admin):
        response = remove(client, make, actor, manager.id)
        assert response.status_code == 409 and response.get_json()["error"]["code"] == "invalid_state"
    assert role_of(manager.id, place.id) == "manager"


def test_two_managers_removing_each_other_at_once_leave_one(app, make, lieu):  # type: ignore[no-untyped-def]
    place, manager, member = lieu
    db.session.execute(sa.update(Membership).where(Membership.user_id == member.id).values(role="manager"))
    db.session.commit()
    pairs = [(make.api_headers(manager), member.id), (make.api_headers(member), manager.id)]
    db.session.rollback()
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def run(headers: dict, target: int) -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.delete(f"/api/v1/places/ti-lab/members/{target}", headers=headers).status_code)

    threads = [threading.Thread(target=run, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # The second sees either that it is no manager any more (403) or that its target is the
    # last one (409), depending on when the database lets it read.
    assert sorted(statuses) in ([204, 403], [204, 409])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership).where(
        Membership.place_id == place.id, Membership.role == "manager")) == 1


def test_removal_pages_confirm_first(client, auth, make, lieu):  # type: ignore[no-untyped-def]
    place, manager, member = lieu
    auth.login("gaelle@example.org")
    members = client.get("/lieux/ti-lab/membres").get_data(as_text=True)
    assert f'href="/lieux/ti-lab/membres/{member.id}/retirer"' in members
    confirm = client.get(f"/lieux/ti-lab/membres/{member.id}/retirer")
    assert confirm.status_code == 200 and "Retirer Malo Kerjean de Ti Lab ?" in confirm.get_data(as_text=True)
    assert role_of(member.id, place.id) == "member"
    assert client.post(f"/lieux/ti-lab/membres/{member.id}/retirer").status_code == 302
    assert role_of(member.id, place.id) is None
    last = client.post(f"/lieux/ti-lab/membres/{manager.id}/retirer", follow_redirects=True)
    assert "au moins un gestionnaire" in last.get_data(as_text=True)


# --- join requests ----------------------------------------------------------------------------

def ask(client, make, user, body=None):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/places/ti-lab/join-requests", headers=make.api_headers(user),
                       json=body if body is not None else {})


def test_a_join_request_goes_to_each_manager_and_accepting_makes_a_member(client, make, lieu, mailbox):  # type: ignore[no-untyped-def]
    place, manager, member = lieu
    second = make.user(email="soizic@example.org", name="Soizic")
    db.session.add(Membership(user_id=second.id, place_id=place.id, role="manager"))
    asker = make.user(email="erwan@example.org", name="Erwan Tanguy")
    db.session.commit()
    response = ask(client, make, asker, {"message": "Je fais de la menuiserie."})
    assert response.status_code == 201
    assert response.get_json()["status"] == "pending"
    messages = mailbox.fetch()
    assert sorted((m["To"], m["X-Maillage-Event"]) for m in messages) == [
        ("gaelle@example.org", "place.join_request"), ("soizic@example.org", "place.join_request")]
    assert "Je fais de la menuiserie." in messages[0].get_body(("plain",)).get_content()

    assert ask(client, make, asker).status_code == 409
    assert ask(client, make, asker).get_json()["error"]["code"] == "duplicate"
    assert ask(client, make, member).get_json()["error"]["code"] == "invalid_state"
    listed = client.get("/api/v1/places/ti-lab/join-requests", headers=make.api_headers(manager))
    assert listed.status_code == 200 and listed.get_json()["total"] == 1
    assert client.get("/api/v1/places/ti-lab/join-requests", headers=make.api_headers(member)).status_code == 403

    request_id = response.get_json()["id"]
    assert client.post(f"/api/v1/join-requests/{request_id}/accept", headers=make.api_headers(asker)).status_code == 403
    assert client.post(f"/api/v1/join-requests/{request_id}/accept", headers=make.api_headers(member)).status_code == 404
    accepted = client.post(f"/api/v1/join-requests/{request_id}/accept", headers=make.api_headers(manager),
                           json={"message": "Bienvenue !"})
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    assert role_of(asker.id, place.id) == "member"
    decided = mailbox.one("erwan@example.org", "place.join_decided")
    assert "accepté" in decided.get_body(("plain",)).get_content() and "Bienvenue !" in decided.get_body(("plain",)).get_content()
    again = client.post(f"/api/v1/join-requests/{request_id}/decline", headers=make.api_headers(manager))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"


def test_declining_tells_the_asker_and_adds_no_one(client, make, lieu, mailbox):  # type: ignore[no-untyped-def]
    place, manager, _ = lieu
    asker = make.user(email="erwan@example.org")
    request_id = ask(client, make, asker).get_json()["id"]
    mailbox.fetch()
    declined = client.post(f"/api/v1/join-requests/{request_id}/decline", headers=make.api_headers(manager))
    assert declined.status_code == 200 and declined.get_json()["status"] == "declined"
    assert role_of(asker.id, place.id) is None
    assert "refusé" in mailbox.one("erwan@example.org", "place.join_decided").get_body(("plain",)).get_content()
    # Declined, one may ask again.
    assert ask(client, make, asker).status_code == 201
    assert client.post("/api/v1/join-requests/999999/accept", headers=make.api_headers(manager)).status_code == 404
    assert client.post("/api/v1/places/nulle-part/join-requests", headers=make.api_headers(asker), json={}).status_code == 404


def test_join_request_pages_button_form_and_the_managers_answer(client, auth, make, lieu, mailbox):  # type: ignore[no-untyped-def]
    place, manager, member = lieu
    make.user(email="erwan@example.org", name="Erwan Tanguy")
    assert 'id="join-button"' not in client.get("/lieux/ti-lab").get_data(as_text=True)
    auth.login("erwan@example.org")
    assert 'id="join-button"' in client.get("/lieux/ti-lab").get_data(as_text=True)
    assert client.post("/lieux/ti-lab/rejoindre", data={"message": "Bonjour !"}).status_code == 302
    page = client.get("/lieux/ti-lab").get_data(as_text=True)
    assert 'id="join-pending"' in page and 'id="join-button"' not in page
    auth.logout()
    auth.login("malo@example.org")
    assert 'id="join-button"' not in client.get("/lieux/ti-lab").get_data(as_text=True)
    auth.logout()

    auth.login("gaelle@example.org")
    mailbox.fetch()
    members = client.get("/lieux/ti-lab/membres").get_data(as_text=True)
    request_id = db.session.scalar(sa.select(JoinRequest.id))
    assert f'data-join-request="{request_id}"' in members and "Bonjour !" in members
    assert client.post(f"/lieux/ti-lab/demandes/{request_id}/accepter", data={"message": ""}).status_code == 302
    erwan = db.session.scalar(sa.select(User).where(User.email == "erwan@example.org"))
    assert role_of(erwan.id, place.id) == "member"
    assert mailbox.one("erwan@example.org", "place.join_decided")
    assert 'id="no-join-requests"' in client.get("/lieux/ti-lab/membres").get_data(as_text=True)


def test_membership_forms_refuse_a_post_without_the_csrf_token(app, client, auth, make, lieu):  # type: ignore[no-untyped-def]
    _, manager, member = lieu
    make.user(email="erwan@example.org")
    auth.login("erwan@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/lieux/ti-lab/rejoindre", data={}).status_code == 400
    assert client.post(f"/lieux/ti-lab/membres/{member.id}/retirer").status_code == 400
    assert client.post("/lieux/ti-lab/demandes/1/accepter").status_code == 400
    assert client.post("/invitation", data={"token": "t"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JoinRequest)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
