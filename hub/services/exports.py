"""Every file a user downloads: the CSV of a place's bookings and of the network's tables,
the iCalendar of one booking and of a user's feed.

The queries live with the reads they belong to (hub.services.catalogue, hub.services.network);
this module only writes their rows out as French spreadsheets and calendar clients read them.
"""
from __future__ import annotations

from datetime import timezone
from typing import Any, Callable, Iterable, Mapping

from icalendar import Calendar, Event

from hub.reference import DEPARTEMENTS, REGIONS
from hub.rules import labels
from hub.services import catalogue as catalogue_service
from hub.services.spreadsheet import csv_text
from hub.timeutil import local
from models import Booking, Place, User, utcnow

# --- CSV --------------------------------------------------------------------------------

BOOKING_HEADERS = (
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


def _booking_line(booking: Booking) -> tuple:
    hours = (booking.end_at - booking.start_at).total_seconds() / 3600
    return (
        booking.id,
        booking.resource.name,
        labels.label(labels.RESOURCE_KIND, booking.resource.kind),
        booking.place.name,
        booking.place.departement,
        local(booking.start_at).strftime("%d/%m/%Y %H:%M"),
        local(booking.end_at).strftime("%d/%m/%Y %H:%M"),
        f"{hours:.2f}".replace(".", ","),
        booking.quantity,
        "" if booking.beneficiaries is None else booking.beneficiaries,
        labels.label(labels.BOOKING_STATUS, booking.status),
        {True: "présent", False: "absent", None: ""}[booking.attended],
        booking.refusal_reason or "",
        booking.user.name if booking.user is not None else "",
        local(booking.created_at).strftime("%d/%m/%Y %H:%M"),
    )


def bookings_csv(place: Place) -> str:
    """Every booking of the place's resources, for Excel: UTF-8 with BOM, `;`, Paris times."""
    return csv_text(BOOKING_HEADERS, (_booking_line(b) for b in catalogue_service.bookings_to_export(place)))


def _table_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        # French spreadsheets read a decimal comma in a ;-separated file.
        return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",") or "0"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _departement_name(code: Any) -> str:
    dep = DEPARTEMENTS.get(code)
    return dep.name if dep else str(code)


def _region_name(code: Any) -> str:
    region = REGIONS.get(code)
    return region.name if region else str(code)


# Columns that hold a code: people read its label in the column, machines its code in an
# extra column at the end of the table (header of that extra column).
CODED_COLUMNS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "kind": ("Code type", lambda v: labels.label(labels.PLACE_KIND, v)),
    "territory": ("Code territoire", lambda v: labels.label(labels.TERRITORY, v)),
    "departement": ("Code département", _departement_name),
    "region": ("Code région", _region_name),
    "month": ("Code mois (AAAA-MM)", labels.month_label),
    "departements": ("Codes départements", lambda v: [_departement_name(c) for c in v]),
}


def table_csv(columns: list[tuple[str, str]], rows: Iterable[Mapping[str, Any]]) -> str:
    """A network table (columns are (key, French header)): UTF-8 with a BOM, `;` separators.

    A coded column (CODED_COLUMNS) reads as labels, its codes follow at the end; one whose
    table already has the name beside it (`region` and `region_name`) stays as it is.
    """
    rows = list(rows)
    keys = {key for key, _ in columns}
    # "departements" is a list of codes in one table, a count in another.
    coded = [key for key, _ in columns if key in CODED_COLUMNS and f"{key}_name" not in keys
             and not (rows and isinstance(rows[0].get(key), (int, float)))]

    def cell(row: Mapping[str, Any], key: str) -> str:
        value = row.get(key)
        if key in coded and value is not None:
            value = CODED_COLUMNS[key][1](value)
        return _table_cell(value)

    return csv_text(
        [header for _, header in columns] + [CODED_COLUMNS[key][0] for key in coded],
        ([cell(row, key) for key, _ in columns] + [_table_cell(row.get(key)) for key in coded]
         for row in rows),
    )


# --- iCalendar ---------------------------------------------------------------------------

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


def feed_ics(user: User, host: str) -> bytes:
    cal = _calendar("Maillage — réservations de mes lieux")
    for booking in catalogue_service.feed_bookings(user):
        cal.add_component(_event(booking, host, None))
    return cal.to_ical()
