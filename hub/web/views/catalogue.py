"""What the catalogue and back-office pages show: pages of results, week grids, the rules
of a resource in French, form options and badges."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

from flask import url_for

from hub.reference import DEPARTEMENTS, REGIONS
from hub.rules import labels
from hub.rules.calendar import WEEKDAY_LABELS, WEEKDAYS
from hub.services import bookings as bookings_service
from hub.services import resources as resources_service
from hub.services.catalogue import Found
from hub.timeutil import PARIS, duration_text, local
from models import Resource, TrainingSession, utcnow

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


def kind_options() -> list[tuple[str, str]]:
    return list(labels.RESOURCE_KIND.items())


def departement_options() -> list[tuple[str, str]]:
    return [(code, f"{code} — {dep.name}") for code, dep in DEPARTEMENTS.items()]


def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "info")


# --- pages of results ---------------------------------------------------------------------

@dataclass
class Page:
    items: list[Any]
    page: int
    pages: int
    total: int

    @classmethod
    def of(cls, items: list[Any], total: int, page: int, per_page: int = PER_PAGE) -> Page:
        return cls(items=items, page=page, pages=max(1, -(-total // per_page)), total=total)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(raw: str | None) -> int:
    """The ?page= value as a page number; 1 when absent or bad."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), 100_000)


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


# --- a resource's rules -------------------------------------------------------------------

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


# --- the catalogue's search -----------------------------------------------------------------

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
VIEWS = ("liste", "carte")


def region_options() -> list[tuple[str, str]]:
    return sorted(((code, region.name) for code, region in REGIONS.items()), key=lambda o: o[1])


def moment_text(instant: datetime, today: date | None = None) -> str:
    """An instant as a French sentence ends: "mardi 3 décembre à 14 h", "… à 14 h 30"
    (with the year when it is not this one)."""
    moment = local(instant)
    today = today or local(utcnow()).date()
    day = f"{WEEKDAY_LABELS[WEEKDAYS[moment.weekday()]]} {moment.day}{'er' if moment.day == 1 else ''} {MONTHS[moment.month - 1]}"
    if moment.year != today.year:
        day += f" {moment.year}"
    clock = f"{moment.hour} h" + (f" {moment.minute:02d}" if moment.minute else "")
    return f"{day} à {clock}"


def next_free_text(found: Found) -> str:
    """The card's line about when the resource can next be used."""
    training = found.resource.kind == "training"
    if found.next_free is None:
        return ("Aucune session avec une place libre dans les quatre semaines" if training
                else "Aucun créneau libre dans les quatre semaines")
    label = "Prochaine session avec une place libre" if training else "Prochain créneau libre"
    return f"{label} : {moment_text(found.next_free)}"


def distance_text(km: float | None) -> str:
    if km is None:
        return ""
    if km < 1:
        return "à moins d'un kilomètre"
    return f"à {km:.0f} km" if km >= 10 else f"à {km:.1f} km".replace(".", ",")


def day_period(raw: str | None, today: date | None = None) -> tuple[date | None, str | None]:
    """The ?jour= value as a day from today on, or the French reason it is not one."""
    if not raw:
        return None, None
    today = today or local(utcnow()).date()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None, "Date invalide : choisissez un jour dans le calendrier."
    if day < today:
        return None, "Choisissez aujourd'hui ou un jour à venir."
    if day > today + timedelta(days=366):
        return None, "Choisissez un jour dans l'année qui vient."
    return day, None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Midnight to midnight, Paris time, as UTC instants."""
    start = datetime.combine(day, time(), tzinfo=PARIS)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=PARIS)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def page_links(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The numbered pages to show: the first, the last, and `around` either side of the
    current one; None where pages are left out (an ellipsis)."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    links: list[int | None] = []
    for number in shown:
        if links and number - (links[-1] or 0) > 1:
            links.append(None)
        links.append(number)
    return links


def link_args(filters: dict[str, str], *, keep_empty_near: bool) -> dict[str, str]:
    """The filters a link to another page of results carries: those set, and an empty
    `pres` when a member chose to search near none of their places."""
    args = {k: v for k, v in filters.items() if v and not (k == "vue" and v == "liste")}
    if keep_empty_near and not filters.get("pres"):
        args["pres"] = ""
    return args


def map_data(found: list[Found], origin: Any | None) -> dict[str, Any]:
    """What the results map draws: one marker per host place with its resources (names as
    text, never HTML), and the place the search starts from."""
    places: dict[int, dict[str, Any]] = {}
    for item in found:
        place = item.resource.place
        marker = places.setdefault(place.id, {
            "lat": place.lat, "lon": place.lon, "name": place.name, "commune": place.commune,
            "resources": [],
        })
        marker["resources"].append({"name": item.resource.name,
                                    "url": url_for("catalogue.resource", resource_id=item.resource.id)})
    return {
        "places": list(places.values()),
        "origin": {"lat": origin.lat, "lon": origin.lon, "name": origin.name} if origin is not None else None,
    }
