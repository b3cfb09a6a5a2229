"""Read-side queries for the catalogue, back-office and calendar pages.

Booking rules live in `hub.services.bookings` and `hub.services.resources`; this module
only arranges what they decide into what a page shows (week grids, lists, CSV, iCalendar).
The one write here is the user's private calendar-feed token.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

import sqlalchemy as sa
import sqlalchemy.orm as so
from icalendar import Calendar, Event

from hub.extensions import db
from hub.reference import DEPARTEMENTS
from hub.rules import labels
from hub.rules.calendar import WEEKDAY_LABELS, WEEKDAYS
from hub.services import audit
from hub.services import bookings as bookings_service
from hub.services import resources as resources_service
from hub.services.spreadsheet import csv_text
from hub.timeutil import PARIS, duration_text, local
from models import (
    ACTIVE_STATUSES,
    Booking,
    Membership,
    Place,
    Resource,
    TrainingSession,
    User,
    utcnow,
)

logger = logging.getLogger(__name__)

PER_PAGE = 20
WEEK_DAYS = tuple(WEEKDAY_LABELS[day].capitalize() for day in WEEKDAYS)
# DSFR badge variants per status.
STATUS_BADGES = {
    "pending": "new",
    "confirmed": "success",
    "refused": "error",
    "cancelled": "info",
    "waitlisted": "warning",
}
# A calendar feed lists what is coming and the recent past, not years of history.
FEED_PAST_DAYS = 90


def kind_options() -> list[tuple[str, str]]:
    return list(labels.RESOURCE_KIND.items())


def departement_options() -> list[tuple[str, str]]:
    return [(code, f"{code} — {dep.name}") for code, dep in DEPARTEMENTS.items()]


# --- catalogue ---------------------------------------------------------------------------

@dataclass
class Page:
    items: list[Any]
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), 100_000)


def catalogue(*, kind: str | None, q: str | None, departement: str | None, page: int) -> Page:
    """Non-archived resources of every place, filtered, one page of them."""
    if kind not in labels.RESOURCE_KIND:
        kind = None
    if departement not in DEPARTEMENTS:
        departement = None
    select = resources_service.search_resources(kind=kind, q=q or None, departement=departement)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(select.order_by(None).subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(page, pages)
    items = list(
        db.session.scalars(
            select.options(so.joinedload(Resource.place)).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
        ).unique()
    )
    return Page(items=items, page=page, pages=pages, total=total)


# --- weeks --------------------------------------------------------------------------------

def week_start(raw: str | None, today: date | None = None) -> date:
    """The Monday of the week holding `raw` (YYYY-MM-DD), this week when absent or bad."""
    today = today or local(utcnow()).date()
    try:
        day = date.fromisoformat(raw) if raw else today
    except ValueError:
        day = today
    if not 2000 <= day.year <= 2100:
        day = today
    return day - timedelta(days=day.weekday())


def week_bounds(monday: date) -> tuple[datetime, datetime]:
    """The week from Monday 00:00 to the next Monday 00:00, Paris time, as UTC instants."""
    start = datetime.combine(monday, time(), tzinfo=PARIS)
    end = datetime.combine(monday + timedelta(days=7), time(), tzinfo=PARIS)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def week_shift(monday: date | None, weeks: int) -> str:
    """The ?semaine= value `weeks` weeks after `monday` (this week when None)."""
    return ((monday or week_start(None)) + timedelta(weeks=weeks)).isoformat()


@dataclass
class Day:
    date: date
    label: str
    slots: list[dict[str, Any]] = field(default_factory=list)


def _days(monday: date) -> list[Day]:
    return [
        Day(date=monday + timedelta(days=i), label=f"{WEEK_DAYS[i]} {(monday + timedelta(days=i)):%d/%m}")
        for i in range(7)
    ]


def _split_by_day(start: datetime, end: datetime) -> Iterable[tuple[date, datetime, datetime]]:
    """Cut [start, end) at Paris midnights: one piece per local day it touches."""
    cursor = local(start)
    end_local = local(end)
    while cursor < end_local:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), time(), tzinfo=PARIS)
        piece_end = min(midnight, end_local)
        yield cursor.date(), cursor, piece_end
        cursor = piece_end


def availability_week(resource: Resource, monday: date) -> list[Day]:
    """The resource's free and busy times for one week, laid out day by day."""
    start, end = week_bounds(monday)
    days = _days(monday)
    by_date = {d.date: d for d in days}
    for interval in resources_service.free_busy(resource, start, end):
        for day, piece_start, piece_end in _split_by_day(interval["start"], interval["end"]):
            if day in by_date:
                by_date[day].slots.append(
                    {
                        "start": piece_start,
                        "end": piece_end,
                        "free": interval["free"],
                        "closed": interval["closed"],
                        "state": _slot_state(resource, interval),
                    }
                )
    return days


def _slot_state(resource: Resource, interval: dict[str, Any]) -> str:
    if interval["closed"]:
        return "closed"
    free = interval["free"]
    if free <= 0:
        return "busy"
    return "partial" if free < resource.capacity else "free"


def session_options(sessions: list[TrainingSession]) -> list[tuple[str, str]]:
    options = []
    for s in sessions:
        left = max(s.seats - s.seats_taken, 0)
        plural = "s" if left > 1 else ""
        seats = f"{left} place{plural} restante{plural}" if left else "complète : liste d'attente"
        options.append((str(s.id), f"{local(s.start_at):%d/%m/%Y %H:%M} – {local(s.end_at):%H:%M} ({seats})"))
    return options


def rules_in_french(resource: Resource) -> list[str]:
    """The booking rules of a resource, one plain French sentence each."""
    rules = []
    rules.append(
        "Chaque demande est validée par l'équipe de la fabrique."
        if resource.requires_approval
        else "La réservation est confirmée immédiatement si le créneau est libre."
    )
    if resource.prerequisite is not None:
        rules.append(f"Il faut avoir suivi la formation « {resource.prerequisite.name} » avant de réserver.")
    if resource.kind != "training":
        rules.append(
            f"Capacité : {resource.capacity} en même temps."
            if resource.capacity > 1
            else "Une seule réservation à la fois."
        )
    if resource.min_duration_minutes:
        rules.append(f"Durée minimale : {duration_text(resource.min_duration_minutes)}.")
    if resource.max_duration_minutes:
        rules.append(f"Durée maximale : {duration_text(resource.max_duration_minutes)}.")
    if resource.min_notice_minutes:
        rules.append(f"À réserver au moins {duration_text(resource.min_notice_minutes)} à l'avance.")
    if resource.max_hours_per_week:
        rules.append(f"Au plus {resource.max_hours_per_week:g} h par semaine et par lieu.")
    return rules


def opening_hours_lines(resource: Resource) -> list[str]:
    """Opening hours, one line per day ("Lundi : 09:00–12:00, 14:00–18:00"); [] = always open."""
    hours = resource.opening_hours
    if not hours:
        return []
    lines = []
    for key, day_name in zip(WEEKDAYS, WEEK_DAYS):
        ranges = hours.get(key) or []
        text = ", ".join(f"{a}–{b}" for a, b in ranges) if ranges else "fermé"
        lines.append(f"{day_name} : {text}")
    return lines


# --- back office --------------------------------------------------------------------------


def managed_places(user: User) -> list[Place]:
    """The places whose back office the user may open: those they manage
    (hub.rules.permissions.may_run_hub)."""
    return list(
        db.session.scalars(
            sa.select(Place)
            .join(Membership)
            .where(Membership.user_id == user.id, Membership.role == "manager")
            .order_by(Place.name)
        )
    )


def week_bookings(resource: Resource, monday: date) -> list[Day]:
    """The resource's pending, confirmed and waitlisted bookings of one week, day by day."""
    start, end = week_bounds(monday)
    days = _days(monday)
    by_date = {d.date: d for d in days}
    for booking in bookings_service.bookings_of_resource(resource, start, end):
        for day, piece_start, piece_end in _split_by_day(max(booking.start_at, start), min(booking.end_at, end)):
            if day in by_date:
                by_date[day].slots.append({"booking": booking, "start": piece_start, "end": piece_end})
    return days


def attendance_due(place: Place) -> list[Booking]:
    """Confirmed bookings of the place's resources that ended and whose attendance is unknown."""
    return list(
        db.session.scalars(
            sa.select(Booking)
            .join(Resource, Booking.resource_id == Resource.id)
            .options(so.joinedload(Booking.place), so.joinedload(Booking.resource))
            .where(
                Resource.place_id == place.id,
                Booking.status == "confirmed",
                Booking.attended.is_(None),
                Booking.end_at <= utcnow(),
            )
            .order_by(Booking.end_at.desc())
            .limit(200)
        )
    )


CSV_HEADERS = (
    "Référence",
    "Ressource",
    "Type",
    "Lieu bénéficiaire",
    "Département du lieu",
    "Début",
    "Fin",
    "Durée (h)",
    "Quantité",
    "Bénéficiaires",
    "Statut",
    "Présence",
    "Motif du refus",
    "Réservé par",
    "Créée le",
)


def bookings_csv(place: Place) -> str:
    """Every booking of the place's resources, for Excel: UTF-8 with BOM, `;`, Paris times."""
    rows = db.session.execute(
        sa.select(Booking, Resource, Place, User)
        .join(Resource, Booking.resource_id == Resource.id)
        .join(Place, Booking.place_id == Place.id)
        .outerjoin(User, Booking.user_id == User.id)
        .where(Resource.place_id == place.id)
        .order_by(Booking.start_at, Booking.id)
    )

    def line(booking: Booking, resource: Resource, booked_for: Place, user: User | None) -> tuple:
        hours = (booking.end_at - booking.start_at).total_seconds() / 3600
        return (
            booking.id,
            resource.name,
            labels.label(labels.RESOURCE_KIND, resource.kind),
            booked_for.name,
            booked_for.departement,
            local(booking.start_at).strftime("%d/%m/%Y %H:%M"),
            local(booking.end_at).strftime("%d/%m/%Y %H:%M"),
            f"{hours:.2f}".replace(".", ","),
            booking.quantity,
            "" if booking.beneficiaries is None else booking.beneficiaries,
            labels.label(labels.BOOKING_STATUS, booking.status),
            {True: "présent", False: "absent", None: ""}[booking.attended],
            booking.refusal_reason or "",
            user.name if user is not None else "",
            local(booking.created_at).strftime("%d/%m/%Y %H:%M"),
        )

    return csv_text(CSV_HEADERS, (line(*row) for row in rows))


# --- calendars ---------------------------------------------------------------------------

ICS_STATUS = {"pending": "TENTATIVE", "confirmed": "CONFIRMED", "cancelled": "CANCELLED"}


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Maillage//Réservations des Fabriques de territoire//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    return cal


def _event(booking: Booking, host: str, resource_url: str | None) -> Event:
    resource = booking.resource
    place = resource.place
    event = Event()
    event.add("uid", f"reservation-{booking.id}@{host}")
    event.add("dtstamp", booking.updated_at or utcnow())
    # UTC instants: every calendar client reads them, no VTIMEZONE to keep in sync.
    event.add("dtstart", booking.start_at.astimezone(timezone.utc))
    event.add("dtend", booking.end_at.astimezone(timezone.utc))
    event.add("summary", f"{resource.name} — {place.name}")
    event.add("location", f"{place.name}, {place.commune}")
    status = labels.label(labels.BOOKING_STATUS, booking.status)
    event.add(
        "description",
        f"Réservation n° {booking.id} pour {booking.place.name} ({status}), quantité {booking.quantity}.",
    )
    if booking.status in ICS_STATUS:
        event.add("status", ICS_STATUS[booking.status])
    if resource_url:
        event.add("url", resource_url)
    return event


def booking_ics(booking: Booking, host: str, resource_url: str | None = None) -> bytes:
    cal = _calendar(f"Réservation {booking.resource.name}")
    cal.add("method", "PUBLISH")
    cal.add_component(_event(booking, host, resource_url))
    return cal.to_ical()


def user_by_calendar_token(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(sa.select(User).where(User.calendar_token == token))


def feed_bookings(user: User) -> list[Booking]:
    """Pending and confirmed bookings of the user's places, from the recent past onwards."""
    place_ids = sa.select(Membership.place_id).where(Membership.user_id == user.id)
    return list(
        db.session.scalars(
            sa.select(Booking)
            .options(
                so.joinedload(Booking.place),
                so.joinedload(Booking.resource).joinedload(Resource.place),
            )
            .where(
                Booking.place_id.in_(place_ids),
                Booking.status.in_(ACTIVE_STATUSES),
                Booking.end_at >= utcnow() - timedelta(days=FEED_PAST_DAYS),
            )
            .order_by(Booking.start_at)
        )
    )


def feed_ics(user: User, host: str) -> bytes:
    cal = _calendar("Maillage — réservations de mes lieux")
    for booking in feed_bookings(user):
        cal.add_component(_event(booking, host, None))
    return cal.to_ical()


def regenerate_calendar_token(user: User) -> str:
    """A new secret feed token for the user; the old feed URL stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    audit.record(user, "user.calendar_token_regenerated", user)
    return user.calendar_token
