"""Series: the same booking every day or every week, made in one request.

Each occurrence goes through `hub.services.bookings.create_booking`, the single-booking
path, so it obeys every rule of a single booking. The series is one transaction: a rule an
occurrence breaks (422, 403, 404, or a place's overdue loan) refuses the whole series, and so
does a taken capacity or quota (409) unless `skip_conflicts`: then that occurrence runs in a
savepoint, is rolled back with its events, and is listed in `skipped`.

Choices the contract leaves open:
- occurrences keep the first one's wall-clock time in Paris across a change of daylight
  saving time (a 14:00 workshop stays at 14:00);
- `until` is a date (or a datetime, whose Paris date counts), compared with each
  occurrence's start date in Paris;
- trainings are booked by session, so they have no series (422 on `resource`);
- a series whose occurrences were all skipped is still created (201, no bookings);
- cancelling a series cancels its bookings that have not started, in the statuses a booking
  can be cancelled from; an out loan is returned, not cancelled.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from hub.errors import DomainError, Forbidden, InvalidState, NotFound, QuotaExceeded, Unavailable
from hub.extensions import db
from hub.rules import permissions
from hub.rules.validation import Fields, id_or_404
from hub.services import audit
from hub.services.bookings import cancel_booking, create_booking
from hub.services.places import actor_of
from hub.timeutil import PARIS, parse_datetime, to_iso
from models import ACTIVE_STATUSES, SERIES_EVERY, Booking, BookingSeries, Place, Resource, User, utcnow

logger = logging.getLogger(__name__)

MAX_OCCURRENCES = 52
STEP = {"day": timedelta(days=1), "week": timedelta(weeks=1)}
# The conflicts a series may skip: the slot is taken, not the request wrong.
SKIPPABLE = (Unavailable, QuotaExceeded)


def _until(f: Fields, value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
        try:
            return parse_datetime(value).astimezone(PARIS).date()
        except (ValueError, TypeError):
            pass
    f.error("until", "Date invalide (format AAAA-MM-JJ attendu).")
    return None


def occurrences(start: datetime, end: datetime, every: str, *, count: int | None = None,
                until: date | None = None) -> list[tuple[datetime, datetime]]:
    """The series' periods, at most MAX_OCCURRENCES + 1 (one more tells `until` went too far)."""
    first, last = start.astimezone(PARIS), end.astimezone(PARIS)
    step = STEP[every]
    periods = []
    for k in range(count if count is not None else MAX_OCCURRENCES + 1):
        s, e = first + k * step, last + k * step
        if until is not None and s.date() > until:
            break
        periods.append((s.astimezone(start.tzinfo), e.astimezone(start.tzinfo)))
    return periods


def create_series(resource_id: Any, booker_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    rid = id_or_404(resource_id, "Cette ressource n'existe pas.")
    resource = db.session.get(Resource, rid)
    if resource is None or resource.archived_at is not None:
        raise NotFound("Cette ressource n'existe pas.")
    f = Fields(data)
    every = f.choice("every", SERIES_EVERY, required=True)
    start = f.datetime("start", required=True)
    end = f.datetime("end", required=True)
    has_count, has_until = data.get("count") is not None, data.get("until") is not None
    if has_count and has_until:
        f.error("until", "Indiquez soit un nombre d'occurrences (count), soit une date de fin (until), pas les deux.")
    elif not has_count and not has_until:
        f.error("count", "Indiquez un nombre d'occurrences (count, de 1 à 52) ou une date de fin (until).")
    count = f.integer("count", minimum=1, maximum=MAX_OCCURRENCES)
    until = _until(f, data.get("until"))
    skip = f.boolean("skip_conflicts")
    if resource.kind == "training":
        f.error("resource", "Une formation se réserve par session, pas en série.")
    periods: list[tuple[datetime, datetime]] = []
    if start and end and every and (count or until):
        periods = occurrences(start, end, every, count=count, until=until)
        if until is not None and not periods:
            f.error("until", "La date de fin précède la première occurrence.")
        elif len(periods) > MAX_OCCURRENCES:
            f.error("until", f"Une série compte au plus {MAX_OCCURRENCES} occurrences.")
    f.check()

    base = {key: data[key] for key in ("place", "quantity", "beneficiaries", "note") if key in data}
    made: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for s, e in periods:
        body = {**base, "start": s.isoformat(), "end": e.isoformat()}
        try:
            if skip:
                with db.session.begin_nested():
                    made.append(create_booking(rid, booker_id, body))
            else:
                made.append(create_booking(rid, booker_id, body))
        except SKIPPABLE as exc:
            if not skip:
                _name_occurrence(exc, s)
                raise
            skipped.append({"start": to_iso(s), "end": to_iso(e), "code": exc.code})
        except DomainError as exc:
            _name_occurrence(exc, s)
            raise
    place_id = db.session.scalar(sa.select(Place.id).where(Place.slug == base.get("place")))
    assert place_id is not None  # create_booking refused an unknown place
    series = BookingSeries(resource_id=rid, place_id=place_id, user_id=booker_id, every=every)
    db.session.add(series)
    db.session.flush()
    if made:
        db.session.execute(
            sa.update(Booking).where(Booking.id.in_([b["id"] for b in made])).values(series_id=series.id)
            .execution_options(synchronize_session=False)
        )
    for payload in made:
        # The same dict the live events carry: they go out with their series.
        payload["series"] = series.id
    audit.record(booker_id, "series.created", series, resource=rid, every=every, bookings=len(made),
                 skipped=len(skipped))
    return {"id": series.id, "bookings": made, "skipped": skipped}


def _name_occurrence(exc: DomainError, start: datetime) -> None:
    """Say which occurrence refused the series."""
    exc.message = f"Occurrence du {start.astimezone(PARIS):%d/%m/%Y %H:%M} : {exc.message}"


# The statuses a series' coming booking is cancelled from (an out loan is returned).
_CANCELLABLE = (*(s for s in ACTIVE_STATUSES if s != "out"), "waitlisted")


def series_to_cancel(series_id: Any, actor: User) -> BookingSeries:
    """The series `actor` may cancel: 404 if they may not see it, 403 if they may see it but
    not cancel it."""
    # With what its confirmation page shows.
    series = db.session.get(BookingSeries, id_or_404(series_id, "Cette série n'existe pas."), options=[
        so.joinedload(BookingSeries.resource).joinedload(Resource.place), so.joinedload(BookingSeries.place)])
    if series is None:
        raise NotFound("Cette série n'existe pas.")
    who = actor_of(actor)
    host = series.resource.place_id
    if not permissions.may_read_booking(who, series.place_id, host):
        raise NotFound("Cette série n'existe pas.")
    if not permissions.may_cancel(who, series.place_id, host):
        raise Forbidden("Seuls les membres du lieu qui a réservé ou les gestionnaires du lieu hôte "
                        "peuvent annuler cette série.")
    return series


def coming_bookings(series_id: int) -> list[Booking]:
    """The series' bookings that cancelling it cancels: not started, still cancellable."""
    return list(db.session.scalars(
        sa.select(Booking).where(
            Booking.series_id == series_id,
            Booking.start_at > utcnow(),
            Booking.status.in_(_CANCELLABLE),
        ).order_by(Booking.start_at)
    ))


def cancel_series(series_id: Any, actor: User) -> dict[str, Any]:
    series = series_to_cancel(series_id, actor)
    cancelled = 0
    for booking in coming_bookings(series.id):
        try:
            cancel_booking(booking, actor)
        except InvalidState:
            continue  # changed meanwhile (checked out, cancelled one by one)
        cancelled += 1
    audit.record(actor, "series.cancelled", series, cancelled=cancelled)
    return {"id": series.id, "cancelled": cancelled}
