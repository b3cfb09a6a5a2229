"""Qualifications that expire, and trainings recognised from hub to hub.

A qualification is obtained at its `created_at` (renewed by attending the training again)
and is valid `qualification_valid_days` days (None: forever). A prerequisite `training` is
met by a valid qualification for `training` itself or for any training it recognises
(`Recognition`, declared by the managers of `training`'s host). Recognition is not
transitive: each hub says whom it trusts.

Choices the contract leaves open:
- a qualification expires at the instant `obtained_at + valid days` (`valid_until`);
- re-attending a training with a validity renews the qualification from that attendance;
- `GET /me/qualifications` lists expired qualifications too (`valid: false`), and each
  item says where it is recognised (`recognised_by`);
- recognising a training twice is a 409 `duplicate`.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from hub.errors import Duplicate, Forbidden, Invalid, NotFound
from hub.extensions import db
from hub.rules import permissions
from hub.rules import recognition as graph_rules
from hub.rules.validation import MAX_ID, Fields, id_or_404
from hub.services import audit, notifications
from hub.services.places import actor_of
from hub.timeutil import to_iso
from models import HUB_KINDS, Booking, Place, Qualification, Recognition, Resource, User, utcnow

logger = logging.getLogger(__name__)

EXPIRY_NOTICE = timedelta(days=30)


# ---------------------------------------------------------------- validity

def valid_until(obtained_at: datetime, valid_days: int | None) -> datetime | None:
    return None if valid_days is None else obtained_at + timedelta(days=valid_days)


def is_valid(obtained_at: datetime, valid_days: int | None, now: datetime) -> bool:
    until = valid_until(obtained_at, valid_days)
    return until is None or until > now


# The user's qualifications that could meet `tid`: for it, or for a training it recognises.
_MEETING = (
    sa.select(Qualification.created_at, Resource.qualification_valid_days)
    .join(Resource, Resource.id == Qualification.training_id)
    .where(
        Qualification.user_id == sa.bindparam("uid"),
        sa.or_(
            Qualification.training_id == sa.bindparam("tid"),
            Qualification.training_id.in_(
                sa.select(Recognition.recognized_id).where(Recognition.training_id == sa.bindparam("tid"))
            ),
        ),
    )
)


def is_qualified(user_id: int, training_id: int) -> bool:
    """Whether the user holds a valid qualification that meets prerequisite `training_id`."""
    now = utcnow()
    rows = db.session.connection().execute(_MEETING, {"uid": user_id, "tid": training_id})
    return any(is_valid(obtained, days, now) for obtained, days in rows)


def renew(qualification: Qualification, actor: User, **data: Any) -> None:
    """Obtained again from now on: its validity starts over."""
    qualification.created_at = utcnow()
    qualification.expiry_notified_at = None
    db.session.flush()
    audit.record(actor, "qualification.renewed", qualification, training=qualification.training_id,
                 user=qualification.user_id, **data)


def renew_on_attendance(qualification: Qualification, actor: User, booking: Booking) -> None:
    """Attending a training again renews a qualification that expires."""
    if qualification.training.qualification_valid_days is not None:
        renew(qualification, actor, booking=booking.id)


# ---------------------------------------------------------------- the holder's view

def qualifications_of_user(user: User) -> list[dict[str, Any]]:
    """GET /me/qualifications items, most recent first."""
    now = utcnow()
    held = db.session.scalars(
        sa.select(Qualification)
        .where(Qualification.user_id == user.id)
        .options(so.joinedload(Qualification.training).joinedload(Resource.place))
        .order_by(Qualification.created_at.desc(), Qualification.id.desc())
    ).all()
    recognising: dict[int, list[Resource]] = {}
    if held:
        for rec in db.session.scalars(
            sa.select(Recognition)
            .where(Recognition.recognized_id.in_([q.training_id for q in held]))
            .options(so.joinedload(Recognition.training).joinedload(Resource.place))
            .order_by(Recognition.id)
        ):
            recognising.setdefault(rec.recognized_id, []).append(rec.training)
    items = []
    for q in held:
        training = q.training
        until = valid_until(q.created_at, training.qualification_valid_days)
        items.append({
            "training": training.id,
            "training_name": training.name,
            "place": training.place.slug,
            "place_name": training.place.name,
            "obtained_at": to_iso(q.created_at),
            "valid_until": to_iso(until),
            "valid": until is None or until > now,
            "recognised_by": [
                {"training": t.id, "training_name": t.name, "place": t.place.slug, "place_name": t.place.name}
                for t in recognising.get(training.id, [])
            ],
        })
    return items


# ---------------------------------------------------------------- recognitions

def _training(resource_id: Any) -> Resource:
    resource = db.session.get(Resource, id_or_404(resource_id, "Cette ressource n'existe pas."))
    if resource is None or resource.archived_at is not None:
        raise NotFound("Cette ressource n'existe pas.")
    return resource


def recognition_dict(rec: Recognition) -> dict[str, Any]:
    other = rec.recognized
    return {
        "resource": rec.training_id,
        "training": other.id,
        "training_name": other.name,
        "place": other.place.slug,
        "place_name": other.place.name,
        "created_at": to_iso(rec.created_at),
    }


def add_recognition(resource_id: Any, actor: User, data: Mapping[str, Any]) -> Recognition:
    """The managers of `resource_id`'s host accept qualifications for `data["training"]`."""
    training = _training(resource_id)
    if not permissions.may_run_hub(actor_of(actor), training.place_id):
        raise Forbidden("Seuls les gestionnaires du lieu qui propose cette formation peuvent reconnaître "
                        "une autre formation.")
    f = Fields(data)
    other_id = f.integer("training", required=True, minimum=1, maximum=MAX_ID)
    if training.kind != "training":
        raise Invalid("Seule une formation peut en reconnaître une autre.",
                      fields={"resource": "Cette ressource n'est pas une formation."})
    other = db.session.get(Resource, other_id) if other_id is not None else None
    if other_id is not None:
        if other is None or other.archived_at is not None:
            f.error("training", "Cette formation n'existe pas.")
        elif other.kind != "training":
            f.error("training", "Cette ressource n'est pas une formation.")
        elif other.id == training.id:
            f.error("training", "Une formation ne peut pas se reconnaître elle-même.")
    f.check()
    assert other is not None
    exists = db.session.scalar(sa.select(Recognition.id).where(
        Recognition.training_id == training.id, Recognition.recognized_id == other.id))
    if exists is not None:
        raise Duplicate("Cette formation est déjà reconnue.")
    rec = Recognition(training_id=training.id, recognized_id=other.id, created_by_id=actor.id)
    db.session.add(rec)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        # Declared at the same time by another manager: the unique pair stands.
        raise Duplicate("Cette formation est déjà reconnue.") from None
    audit.record(actor, "recognition.created", rec, training=training.id, recognized=other.id)
    return rec


def remove_recognition(resource_id: Any, other_id: Any, actor: User) -> None:
    training = _training(resource_id)
    if not permissions.may_run_hub(actor_of(actor), training.place_id):
        raise Forbidden("Seuls les gestionnaires du lieu qui propose cette formation peuvent retirer "
                        "une reconnaissance.")
    rec = db.session.scalar(sa.select(Recognition).where(
        Recognition.training_id == training.id,
        Recognition.recognized_id == id_or_404(other_id, "Cette reconnaissance n'existe pas.")))
    if rec is None:
        raise NotFound("Cette reconnaissance n'existe pas.")
    audit.record(actor, "recognition.removed", rec, training=training.id, recognized=rec.recognized_id)
    db.session.delete(rec)
    db.session.flush()


def recognitions_of(training: Resource) -> list[Recognition]:
    return list(db.session.scalars(
        sa.select(Recognition).where(Recognition.training_id == training.id)
        .options(so.joinedload(Recognition.recognized).joinedload(Resource.place))
        .order_by(Recognition.id)
    ))


def recognition_network(actor: User) -> dict[str, Any]:
    """GET /network/recognitions: node-link JSON of the hubs, with its summary."""
    if not permissions.may_read_network(actor_of(actor)):
        raise Forbidden("Réservé à l'ANCT et aux administrateurs.")
    return graph_rules.node_link(_graph())


def recognition_summary() -> dict[str, Any]:
    """The summary alone, for the ANCT dashboard (its caller checked the reader)."""
    return graph_rules.summary(_graph())


def _graph():  # type: ignore[no-untyped-def]
    truster = so.aliased(Resource)
    trusted = so.aliased(Resource)
    pairs = db.session.execute(
        sa.select(truster.place_id, trusted.place_id)
        .select_from(Recognition)
        .join(truster, truster.id == Recognition.training_id)
        .join(trusted, trusted.id == Recognition.recognized_id)
    ).all()
    involved = {p for pair in pairs for p in pair}
    hubs = db.session.execute(
        sa.select(Place.id, Place.slug, Place.name, Place.kind, Place.region)
        .where(sa.or_(Place.kind.in_(HUB_KINDS), Place.id.in_(involved)))
        .order_by(Place.slug)
    ).all()
    return graph_rules.recognition_graph([tuple(h) for h in hubs], [tuple(p) for p in pairs])


# ---------------------------------------------------------------- reminders

def expiring_pass(now: datetime | None = None) -> int:
    """Send `qualification.expiring` once, a month before a qualification expires."""
    now = now or utcnow()
    candidates = db.session.execute(
        sa.select(Qualification.id, Qualification.created_at, Resource.qualification_valid_days)
        .join(Resource, Resource.id == Qualification.training_id)
        .where(Qualification.expiry_notified_at.is_(None), Resource.qualification_valid_days.is_not(None))
    ).all()
    sent = 0
    for qid, obtained, days in candidates:
        until = valid_until(obtained, days)
        assert until is not None
        if not (now < until <= now + EXPIRY_NOTICE):
            continue
        # Claimed by a conditional UPDATE: two passes at once send it once.
        claimed = db.session.execute(
            sa.update(Qualification)
            .where(Qualification.id == qid, Qualification.expiry_notified_at.is_(None))
            .values(expiry_notified_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            continue
        q = db.session.get(Qualification, qid)
        assert q is not None
        db.session.refresh(q)
        training = q.training
        notifications.notify(
            "qualification.expiring", [q.user], "qualification_expiring",
            f"Votre qualification « {training.name} » expire bientôt",
            {"training": training, "host": training.place, "valid_until": until},
        )
        audit.record(None, "qualification.expiring_notified", q, training=training.id, user=q.user_id)
        sent += 1
    return sent
