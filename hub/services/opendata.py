"""Open data: the places in the State's "Lieux de médiation numérique" standard (schema
1.0.2, vendored in hub/reference/), and the served flows between places, by year.

Both are read at the request, from the database as it is: no cache to go stale. A place
is published once it has what the standard requires and Maillage does not always know:
a pivot (its SIRET, else its RNA number), an address and a postal code. The others are
counted, so that the open-data page can tell their managers what is missing.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterable

import sqlalchemy as sa

from hub import reference
from hub.extensions import db
from hub.services import analytics
from hub.services.spreadsheet import safe_cell
from hub.timeutil import local
from models import HUB_KINDS, FlowMonth, Place

logger = logging.getLogger(__name__)

SCHEMA_PATH = Path(reference.__file__).resolve().parent / "lieux-mediation-numerique.schema.json"
SOURCE = "Maillage"
FABRIQUES_LABEL = "Fabriques de Territoire"
TYPOLOGIE = {"tiers_lieu": "TIERS_LIEUX", "fabrique": "FABRIQUE", "fabrique_numerique": "FABRIQUE"}
SUMMARY_MAX = 280  # presentation_resume's maxLength in the schema
FLUX_COLUMNS = ("annee", "hote", "hote_code_insee", "servi", "servi_code_insee",
                "reservations", "beneficiaires", "heures")


@cache
def schema() -> dict[str, Any]:
    """The standard's Table Schema, as published (version 1.0.2)."""
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def columns() -> tuple[str, ...]:
    """Every column of the standard, in its order: plain Table Schema matches by position."""
    return tuple(f["name"] for f in schema()["fields"])


@cache
def _phone_pattern() -> re.Pattern[str]:
    field = next(f for f in schema()["fields"] if f["name"] == "telephone")
    return re.compile(field["constraints"]["pattern"])


def publishable() -> sa.ColumnElement[bool]:
    """What the standard requires of a place that Maillage may not know yet."""
    return sa.and_(
        sa.or_(Place.siret.is_not(None), Place.rna.is_not(None)),
        Place.address.is_not(None),
        Place.postal_code.is_not(None),
    )


# --- Lieux de médiation numérique ---------------------------------------------------------

def lieux(place_url: Callable[[str], str]) -> list[dict[str, Any]]:
    """One record per publishable place, keyed by the standard's columns (None = empty).

    `place_url(slug)` is the public address of a place's page (the `prise_rdv`).
    """
    # Rows, not Place objects: at the national scale (3,860 places) building the ORM
    # objects cost more than everything else put together.
    places = db.session.execute(sa.select(*_LIEU_COLUMNS).where(publishable()).order_by(Place.slug))
    return [_lieu(place, place_url) for place in places]


_LIEU_COLUMNS = (Place.slug, Place.name, Place.kind, Place.commune, Place.insee, Place.postal_code,
                 Place.address, Place.lat, Place.lon, Place.siret, Place.rna, Place.phone, Place.email,
                 Place.website, Place.description, Place.updated_at)


def _lieu(place: sa.Row[Any], place_url: Callable[[str], str]) -> dict[str, Any]:
    description = " ".join((place.description or "").split())
    if len(description) > SUMMARY_MAX:
        summary = description[:SUMMARY_MAX - 1].rsplit(" ", 1)[0] + "…"
        detail = place.description
    else:
        summary, detail = description or None, None
    phone = place.phone if place.phone and _phone_pattern().match(place.phone) else None
    values = {
        "id": f"maillage-{place.slug}",
        "pivot": place.siret or place.rna,
        "nom": place.name,
        "commune": place.commune,
        "code_postal": place.postal_code,
        "code_insee": place.insee,
        "adresse": place.address,
        "latitude": round(place.lat, 6),
        "longitude": round(place.lon, 6),
        "typologie": TYPOLOGIE[place.kind],
        "telephone": phone,
        "courriels": place.email,
        "site_web": place.website,
        "presentation_resume": summary,
        "presentation_detail": detail,
        "source": SOURCE,
        "date_maj": local(place.updated_at).date().isoformat(),
        "formations_labels": FABRIQUES_LABEL if place.kind in HUB_KINDS else None,
        "prise_rdv": place_url(place.slug),
    }
    record = dict.fromkeys(columns())  # every column, in the schema's order
    record.update(values)
    return record


def lieux_csv(records: Iterable[dict[str, Any]]) -> str:
    """The standard's CSV: UTF-8 without BOM, `,`, a header of every column in order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns())
    for record in records:
        # The standard's phones (+33…) are numbers to safe_cell and stay as they are.
        writer.writerow(["" if record[name] is None else safe_cell(record[name]) for name in columns()])
    return out.getvalue()


@dataclass(frozen=True)
class Coverage:
    """How many places the files hold, and why the others are left out (a place may
    lack both)."""

    places: int
    published: int
    without_pivot: int
    without_address: int
    last_change: datetime | None

    @property
    def left_out(self) -> int:
        return self.places - self.published


def coverage() -> Coverage:
    no_pivot = sa.and_(Place.siret.is_(None), Place.rna.is_(None))
    no_address = sa.or_(Place.address.is_(None), Place.postal_code.is_(None))
    row = db.session.execute(sa.select(
        sa.func.count(),
        sa.func.count().filter(publishable()),
        sa.func.count().filter(no_pivot),
        sa.func.count().filter(no_address),
        sa.func.max(Place.updated_at),
    ).select_from(Place)).one()
    return Coverage(row[0], row[1], row[2], row[3], row[4])


# --- Served flows -----------------------------------------------------------------------

def flux() -> list[tuple[Any, ...]]:
    """(year, host, host's INSEE code, served place, its INSEE code, bookings,
    beneficiaries, hours): the network's served flows, by calendar year (Paris time).

    Read from the monthly aggregates the network's figures are made of
    (hub.services.analytics: external bookings that count, the definitions of
    /network/hubs, hours of use apart from incubation), a year being its twelve Paris
    months: a few thousand rows, not the bookings.
    """
    flows = FlowMonth.__table__
    year = sa.func.substr(flows.c.month, 1, 4)
    use = sa.case((flows.c.kind == analytics.INCUBATION, 0), else_=flows.c.seconds)
    query = (
        sa.select(flows.c.host_id, flows.c.place_id, sa.func.sum(flows.c.bookings),
                  sa.func.sum(flows.c.beneficiaries), sa.func.sum(use), year)
        .group_by(flows.c.host_id, flows.c.place_id, year)
        .having(sa.func.sum(flows.c.bookings) > 0)
    )
    names = {pid: (name, insee or "") for pid, name, insee in db.session.execute(
        sa.select(Place.id, Place.name, Place.insee))}
    rows = []
    for host, served, bookings, beneficiaries, seconds, in_year in db.session.execute(query):
        rows.append((int(in_year), *names[host], *names[served], int(bookings), int(beneficiaries or 0),
                     round(int(seconds or 0) / 3600.0, 2)))
    rows.sort(key=lambda r: (r[0], r[1], r[3]))
    return rows


def flux_csv(rows: Iterable[tuple[Any, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FLUX_COLUMNS)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
