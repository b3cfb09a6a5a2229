"""Who belongs to a place, beyond adding an existing account: invitations of addresses
that have none, registration with an invitation, join requests and their answers, and
removal of a member. Every message goes through hub.services.notifications.notify in the
transaction of the change; nothing here commits.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from hub.errors import Duplicate, Forbidden, Invalid, InvalidState, NotFound, TooManyRequests
from hub.extensions import db
from hub.rules import labels, permissions
from hub.rules.validation import Fields, id_or_404
from hub.services import account_recovery, accounts, audit, places
from hub.services.notifications import notify
from hub.timeutil import to_iso
from models import JOIN_REQUEST_STATUSES, MEMBER_ROLES, JoinRequest, Membership, OneTimeToken, Place, User, utcnow

logger = logging.getLogger(__name__)

NOT_A_MEMBER = "Cette personne n'est pas membre de ce lieu."
JOIN_REQUEST_NOT_FOUND = "Cette demande n'existe pas."
INVITATION_THROTTLED = ("Trop d'invitations envoyées à cette adresse dans l'heure : "
                        "réessayez plus tard.")
WRONG_ADDRESS = "Cette invitation est adressée à une autre adresse électronique que celle de votre compte."


@dataclass(frozen=True)
class Invited:
    """An address without an account, invited into a place (POST /places/{slug}/members: 202)."""

    email: str
    role: str


# --- adding and inviting ----------------------------------------------------------------------

def add_member(place: Place, data: Mapping[str, Any], actor: User) -> Membership | Invited:
    """Add an existing account (hub.services.places.add_member, and a place.member_added
    message when it joins), or invite an address that has no account (place.invitation).

    An invitation creates no account: the invitation page or POST /accounts with the token
    does, for that address only. At most MESSAGES_PER_HOUR invitations an hour for one
    address (TooManyRequests), so that a place cannot be used to flood a mailbox."""
    if not permissions.may_manage_members(places.actor_of(actor), place.id):
        raise Forbidden("Seuls les gestionnaires du lieu, l'ANCT et les administrateurs peuvent ajouter des membres.")
    f = Fields(data)
    email = f.email("email")
    role = f.choice("role", MEMBER_ROLES, required=True)
    f.check()
    assert email is not None and role is not None
    user = accounts.user_by_email(email)
    if user is None:
        return _invite(place, email, role, actor)
    joined = db.session.scalar(
        sa.select(Membership.id).where(Membership.user_id == user.id, Membership.place_id == place.id)
    ) is None
    membership = places.add_member(place, data, actor)
    if joined:
        notify("place.member_added", [user], "place_member_added",
               f"Maillage : vous êtes {labels.MEMBER_ROLE[role].lower()} de {place.name}",
               {"place": place, "role_label": labels.MEMBER_ROLE[role].lower(), "actor_name": actor.name,
                "place_url": _place_url(place)})
    return membership


def _invite(place: Place, email: str, role: str, actor: User) -> Invited:
    if account_recovery.recent_count("invitation", email) >= account_recovery.MESSAGES_PER_HOUR:
        raise TooManyRequests(INVITATION_THROTTLED, retry_after=3600)
    token = account_recovery.issue("invitation", email, account_recovery.INVITATION_LIFETIME,
                                   place_id=place.id, role=role)
    notify("place.invitation", [User(email=email, name="")], "place_invitation",
           f"Maillage : {actor.name} vous invite à rejoindre {place.name}",
           {"place": place, "role_label": labels.MEMBER_ROLE[role].lower(), "actor_name": actor.name,
            "link": account_recovery.link("/invitation", token),
            "valid_days": account_recovery.INVITATION_LIFETIME.days})
    audit.record(actor, "membership.invited", place, email=email, role=role)
    return Invited(email=email, role=role)


def _place_url(place: Place) -> str:
    return account_recovery.absolute(f"/lieux/{place.slug}")


# --- invitations ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Invitation:
    """A valid invitation, as its page shows it."""

    email: str
    role: str
    place: Place
    has_account: bool


def invitation(token: Any) -> Invitation | None:
    """What a valid invitation link invites to, or None (unknown, used, expired)."""
    row = account_recovery.valid_token("invitation", token)
    if row is None:
        return None
    place = db.session.get(Place, row.place_id)
    assert place is not None and row.role is not None
    return Invitation(email=row.email, role=row.role, place=place,
                      has_account=accounts.user_by_email(row.email) is not None)


def _valid_invitation(token: Any, field: str) -> OneTimeToken:
    if token is None or token == "":
        raise Invalid(fields={field: "Ce champ est obligatoire."})
    row = account_recovery.valid_token("invitation", token, lock=True)
    if row is None:
        message = "Cette invitation n'est pas valable : elle a expiré, a déjà servi ou est incomplète."
        raise Invalid(message, fields={field: message})
    return row


def _join(row: OneTimeToken, user: User) -> Membership:
    """The invitation's membership for `user` (who has its address); an invitation as
    manager promotes a member, and never demotes anyone."""
    assert row.place_id is not None and row.role is not None
    account_recovery.use(row)
    if user.email_verified_at is None:
        # The link came to that mailbox: the address is proven.
        user.email_verified_at = utcnow()
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == user.id, Membership.place_id == row.place_id)
    )
    if membership is None:
        membership = Membership(user_id=user.id, place_id=row.place_id, role=row.role)
        db.session.add(membership)
    elif row.role == "manager":
        membership.role = "manager"
    db.session.flush()
    audit.record(user, "membership.invitation_accepted", membership, place_id=row.place_id, role=membership.role)
    return membership


def accept_invitation(user: User, data: Mapping[str, Any]) -> Membership:
    """`{token}` for the account that has the invited address: it joins the place.
    Invalid (fields.token) for a bad token, Forbidden for another account's."""
    row = _valid_invitation(data.get("token"), "token")
    if row.email != user.email:
        raise Forbidden(WRONG_ADDRESS)
    return _join(row, user)


def register(data: Mapping[str, Any]) -> tuple[User, Membership | None]:
    """A new account (POST /accounts, the register and invitation pages). Without
    `invitation` it gets account.verify; with one (for that same address) it starts
    verified, gets no message, and joins the inviting place with the invited role."""
    token = data.get("invitation")
    if token is None or token == "":
        user = accounts.register(data)
        account_recovery.send_verification(user)
        return user, None
    row = _valid_invitation(token, "invitation")
    if accounts.normalize_email(data.get("email")) != row.email:
        raise Invalid(fields={"invitation": "Cette invitation est adressée à une autre adresse électronique."})
    user = accounts.register(data)
    return user, _join(row, user)


# --- removal ----------------------------------------------------------------------------------

def remove_member(place: Place, user_id: Any, actor: User) -> None:
    """Its managers and admins remove a member; a member may leave. Never the last manager
    (InvalidState)."""
    number = id_or_404(user_id, NOT_A_MEMBER)
    if not permissions.may_remove_member(places.actor_of(actor), place.id, number):
        raise Forbidden("Seuls les gestionnaires du lieu et les administrateurs peuvent retirer un membre.")
    # The place's row is the lock two managers removing each other queue on (PostgreSQL;
    # SQLite's write transactions are serialised): one of them stays.
    db.session.scalar(sa.select(Place.id).where(Place.id == place.id).with_for_update())
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.place_id == place.id, Membership.user_id == number)
    )
    if membership is None:
        raise NotFound(NOT_A_MEMBER)
    if membership.role == "manager" and _managers_count(place) == 1:
        raise InvalidState("Le lieu doit garder au moins un gestionnaire : nommez-en un autre avant.")
    audit.record(actor, "membership.removed", membership, place=place.slug, user_id=number,
                 role=membership.role)
    db.session.delete(membership)
    db.session.flush()


def _managers_count(place: Place) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Membership)
        .where(Membership.place_id == place.id, Membership.role == "manager")
    ) or 0


def managers_of(place: Place) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.place_id == place.id, Membership.role == "manager").order_by(User.id)
    ))


# --- join requests ----------------------------------------------------------------------------

def ask_to_join(place: Place, user: User, data: Mapping[str, Any]) -> JoinRequest:
    """`{message?}`: a pending request, and place.join_request to each manager. InvalidState
    for someone already in the place, Duplicate for a second pending request."""
    if not permissions.may_ask_to_join(places.actor_of(user), place.id):
        raise InvalidState("Vous faites déjà partie de ce lieu.")
    f = Fields(data)
    message = f.text("message", max_len=2000, default="", multiline=True)
    f.check()
    if pending_request(place, user) is not None:
        raise Duplicate("Vous avez déjà une demande en attente pour ce lieu.")
    request = JoinRequest(place_id=place.id, user_id=user.id, message=message or "", status="pending")
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except sa.exc.IntegrityError:
        raise Duplicate("Vous avez déjà une demande en attente pour ce lieu.") from None
    audit.record(user, "join_request.created", request, place=place.slug)
    notify("place.join_request", managers_of(place), "place_join_request",
           f"Maillage : {user.name} demande à rejoindre {place.name}",
           {"place": place, "asker": user, "message": request.message,
            "members_url": f"{_place_url(place)}/membres"})
    return request


def pending_request(place: Place, user: User) -> JoinRequest | None:
    return db.session.scalar(sa.select(JoinRequest).where(
        JoinRequest.place_id == place.id, JoinRequest.user_id == user.id, JoinRequest.status == "pending"))


def join_requests_query(place: Place, actor: User, args: Mapping[str, Any]) -> sa.Select:
    """A place's join requests for its managers, newest first; `?status=` filters."""
    if not permissions.may_answer_join_requests(places.actor_of(actor), place.id):
        raise Forbidden("Seuls les gestionnaires du lieu voient ses demandes.")
    f = Fields(args)
    status = f.choice("status", JOIN_REQUEST_STATUSES)
    f.check("Filtre invalide.")
    query = (sa.select(JoinRequest).where(JoinRequest.place_id == place.id)
             .options(so.joinedload(JoinRequest.user), so.joinedload(JoinRequest.place))
             .order_by(JoinRequest.created_at.desc(), JoinRequest.id.desc()))
    return query.where(JoinRequest.status == status) if status else query


def pending_requests(place: Place, actor: User) -> list[JoinRequest]:
    return list(db.session.scalars(join_requests_query(place, actor, {"status": "pending"})))


def decide(request_id: Any, actor: User, accept: bool, data: Mapping[str, Any]) -> JoinRequest:
    """Accept (the person becomes a member) or decline a pending request, `{message?}`
    passed on in place.join_decided. Its managers only: the asker gets Forbidden, anyone
    else NotFound; InvalidState once answered."""
    number = id_or_404(request_id, JOIN_REQUEST_NOT_FOUND)
    request = db.session.scalar(sa.select(JoinRequest).where(JoinRequest.id == number).with_for_update())
    if request is None:
        raise NotFound(JOIN_REQUEST_NOT_FOUND)
    if not permissions.may_answer_join_requests(places.actor_of(actor), request.place_id):
        if request.user_id == actor.id:
            raise Forbidden("Seuls les gestionnaires du lieu répondent aux demandes.")
        raise NotFound(JOIN_REQUEST_NOT_FOUND)
    f = Fields(data)
    message = f.text("message", max_len=2000, default="", multiline=True)
    f.check()
    if request.status != "pending":
        raise InvalidState("Cette demande a déjà reçu une réponse.")
    request.status = "accepted" if accept else "declined"
    request.decided_at = utcnow()
    request.decided_by_id = actor.id
    request.decision_message = message or ""
    place, asker = request.place, request.user
    if accept and db.session.scalar(sa.select(Membership.id).where(
            Membership.place_id == place.id, Membership.user_id == asker.id)) is None:
        db.session.add(Membership(place_id=place.id, user_id=asker.id, role="member"))
    db.session.flush()
    audit.record(actor, f"join_request.{request.status}", request, place=place.slug, user_id=asker.id)
    notify("place.join_decided", [asker], "place_join_decided",
           f"Maillage : votre demande pour rejoindre {place.name} est "
           f"{'acceptée' if accept else 'refusée'}",
           {"place": place, "accepted": accept, "message": request.decision_message,
            "actor_name": actor.name, "place_url": _place_url(place)})
    return request


def join_request_dict(request: JoinRequest) -> dict[str, Any]:
    user = request.user
    return {
        "id": request.id,
        "status": request.status,
        "place": request.place.slug,
        "user": {"id": user.id, "email": user.email, "name": user.name},
        "message": request.message,
        "created_at": to_iso(request.created_at),
        "decided_at": to_iso(request.decided_at),
    }
