"""Yearly activity reports: one per place (host and booker side) and one for the network.

Every figure comes from the network's own reads (`hub.services.network`): a report's
totals are the hub's dict of the year's snapshot, the same object `/network/hubs?from=
YYYY-01-01&to=YYYY+1-01-01` serializes, and its breakdowns split the same monthly
aggregates the snapshot's flows are summed from, so they add up to those totals by
construction. `YearData` reads
a year once; the CLI builds every fabrique's report from one of them.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from hub.errors import Invalid
from hub.extensions import db
from hub.reference import DEPARTEMENTS, REGIONS
from hub.rules import labels
from hub.rules.network import HUB_KINDS, TERRITORIES, Flow, PlaceInfo
from hub.services import exports
from hub.services import network as network_service
from models import Booking, Place, Resource, TrainingSession
from models.analytics import FlowMonth
from models.resources import RESOURCE_KINDS

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
FIRST_YEAR = 2019
# Hub figures a report copies when the hub dict carries them (some come with the trust
# rules: verified_share, incubation hours).
OPTIONAL_HUB_FIGURES = ("verified_share", "incubation_hours", "activation", "rank")
OPTIONAL_TOTALS = ("verified_share", "incubation_hours")


def last_year() -> int:
    return datetime.now(PARIS).year + 1


def parse_year(raw: Any) -> int:
    """?year=YYYY: a whole number from 2019 to next year, else Invalid on `year`."""
    text = str(raw).strip() if raw is not None else ""
    message = f"Indiquez une année entre {FIRST_YEAR} et {last_year()} (par exemple {FIRST_YEAR + 5})."
    if not text.isascii() or not text.isdigit() or len(text) != 4:
        raise Invalid("L'année demandée est invalide.", fields={"year": message})
    year = int(text)
    if not FIRST_YEAR <= year <= last_year():
        raise Invalid("L'année demandée est invalide.", fields={"year": message})
    return year


def year_period(year: int) -> network_service.Period:
    """The year as /network/* reads ?from=YYYY-01-01&to=YYYY+1-01-01 (Paris midnights)."""
    return network_service.parse_period({"from": f"{year}-01-01", "to": f"{year + 1}-01-01"})


def year_months(year: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, 13)]


# ---------------------------------------------------------------- reading a year


Split = dict[int, dict[str, dict[str, Any]]]


@dataclass
class YearData:
    """A year of the network, read once: its snapshot, the hosts' figures by resource
    kind and by month, the places each host served before the year, the trainings."""

    year: int
    snap: network_service.Snapshot
    by_kind: Split
    by_month: Split
    served_before: dict[int, set[int]]
    trainings: dict[int, dict[str, int]]
    _hubs: dict[str, dict[str, Any]] = field(default_factory=dict)
    _by_host: dict[int, list[Flow]] = field(default_factory=dict)
    _by_place: dict[int, list[Flow]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._hubs = {h["slug"]: h for h in self.snap.hubs}
        by_host: dict[int, list[Flow]] = defaultdict(list)
        by_place: dict[int, list[Flow]] = defaultdict(list)
        for flow in self.snap.flows:
            by_host[flow.host].append(flow)
            by_place[flow.place].append(flow)
        self._by_host, self._by_place = dict(by_host), dict(by_place)

    def hub(self, slug: str) -> dict[str, Any] | None:
        return self._hubs.get(slug)

    def flows_of_host(self, place_id: int) -> list[Flow]:
        return self._by_host.get(place_id, [])

    def flows_to(self, place_id: int) -> list[Flow]:
        return self._by_place.get(place_id, [])

    def kinds(self, host: int | None) -> dict[str, dict[str, Any]]:
        """Figures per resource kind, of one host or (None) of the whole network."""
        rows = {kind: _zero() for kind in RESOURCE_KINDS}
        for place_id, split in self.by_kind.items():
            if host is None or place_id == host:
                for kind, row in split.items():
                    _merge(rows.setdefault(kind, _zero()), row)
        return rows

    def months(self, host: int | None) -> list[dict[str, Any]]:
        rows = {month: _zero() for month in year_months(self.year)}
        for place_id, split in self.by_month.items():
            if host is None or place_id == host:
                for month, row in split.items():
                    _merge(rows.setdefault(month, _zero()), row)
        return [{"month": month, **row} for month, row in sorted(rows.items())]


def _read_splits(year: int, host: int | None) -> tuple[Split, Split]:
    """(by kind, by month) of every host (or of `host`) for the year, from the network's
    monthly aggregates (models.FlowMonth: per host, served place, Paris month and kind).

    A year is whole Paris months, so these are the very rows the year's snapshot sums
    into its flows (hub.services.analytics.read_flows): the breakdowns add up to the hubs'
    figures by construction, and one read of a few thousand rows replaces two scans of
    the year's bookings (9 s of the national run). Hours are hours of use: an
    incubation's are counted apart, as in /network/hubs."""
    seconds = sa.case((FlowMonth.kind == "incubation", 0), else_=FlowMonth.seconds)
    query = (
        sa.select(FlowMonth.host_id, FlowMonth.kind, FlowMonth.month,
                  sa.func.sum(FlowMonth.bookings), sa.func.sum(FlowMonth.beneficiaries),
                  sa.func.sum(seconds))
        .where(FlowMonth.month >= f"{year}-01", FlowMonth.month < f"{year + 1}-01")
        .group_by(FlowMonth.host_id, FlowMonth.kind, FlowMonth.month)
    )
    if host is not None:
        query = query.where(FlowMonth.host_id == host)
    by_kind: Split = defaultdict(dict)
    by_month: Split = defaultdict(dict)
    for host_id, kind, month, bookings, beneficiaries, total in db.session.execute(query):
        row = {"bookings": int(bookings or 0), "beneficiaries": int(beneficiaries or 0),
               "hours": int(total or 0) / 3600.0}
        _merge(by_kind[host_id].setdefault(kind, _zero()), row)
        _merge(by_month[host_id].setdefault(month, _zero()), row)
    return dict(by_kind), dict(by_month)


def _served(flows: Iterable[Flow]) -> dict[int, set[int]]:
    served: dict[int, set[int]] = defaultdict(set)
    for flow in flows:
        if flow.host != flow.place and flow.beneficiaries > 0:
            served[flow.host].add(flow.place)
    return served


def _read_trainings(period: network_service.Period, host: int | None) -> dict[int, dict[str, int]]:
    """Per host: its training sessions starting in the year, their seats, and the seats
    attended (confirmed external bookings whose attendance was recorded present)."""
    sessions = (
        sa.select(Resource.place_id, sa.func.count(), sa.func.sum(TrainingSession.seats))
        .select_from(TrainingSession)
        .join(Resource, Resource.id == TrainingSession.resource_id)
        .where(TrainingSession.start_at >= period.start, TrainingSession.start_at < period.end)
        .group_by(Resource.place_id)
    )
    attended = (
        sa.select(Resource.place_id, sa.func.sum(Booking.quantity))
        .select_from(Booking)
        .join(Resource, Resource.id == Booking.resource_id)
        .where(
            Resource.kind == "training", Booking.status == "confirmed",
            Booking.attended.is_(True), Resource.place_id != Booking.place_id,
            Booking.start_at >= period.start, Booking.start_at < period.end,
        )
        .group_by(Resource.place_id)
    )
    if host is not None:
        sessions = sessions.where(Resource.place_id == host)
        attended = attended.where(Resource.place_id == host)
    result: dict[int, dict[str, int]] = defaultdict(lambda: {"sessions": 0, "seats": 0, "attended": 0})
    for place_id, count, seats in db.session.execute(sessions):
        result[place_id].update(sessions=int(count), seats=int(seats or 0))
    for place_id, seats in db.session.execute(attended):
        result[place_id]["attended"] = int(seats or 0)
    return dict(result)


def read_year(year: int, host: Place | None = None) -> YearData:
    """The year's figures; with `host`, the breakdowns of that host only (one place's
    report reads its own bookings, not the whole network's)."""
    period = year_period(year)
    snap = network_service.snapshot(period)
    host_id = host.id if host is not None else None
    before = network_service.read_host_flows(network_service.Period(None, period.start), host_id)
    by_kind, by_month = _read_splits(year, host_id)
    return YearData(
        year=year, snap=snap, by_kind=by_kind, by_month=by_month,
        served_before=_served(before), trainings=_read_trainings(period, host_id),
    )


# ---------------------------------------------------------------- the figures


def _zero() -> dict[str, Any]:
    return {"bookings": 0, "beneficiaries": 0, "hours": 0.0}


def _add(row: dict[str, Any], flow: Flow) -> None:
    row["bookings"] += flow.bookings
    row["beneficiaries"] += flow.beneficiaries
    row["hours"] += flow.hours


def _merge(row: dict[str, Any], other: dict[str, Any]) -> None:
    for key in ("bookings", "beneficiaries", "hours"):
        row[key] += other[key]


def _by_territory(places: dict[int, PlaceInfo], flows: Iterable[Flow]) -> dict[str, dict[str, Any]]:
    rows = {t: {**_zero(), "places_served": 0} for t in TERRITORIES}
    served: set[int] = set()
    for flow in flows:
        place = places.get(flow.place)
        if place is None or flow.host == flow.place:
            continue
        row = rows.setdefault(place.territory, {**_zero(), "places_served": 0})
        _add(row, flow)
        if flow.beneficiaries > 0 and flow.place not in served:
            served.add(flow.place)
            row["places_served"] += 1
    return rows


def _served_places(places: dict[int, PlaceInfo], flows: Iterable[Flow]) -> list[dict[str, Any]]:
    """The places served (beneficiaries > 0), most beneficiaries first: the report's map
    and its list."""
    totals: dict[int, dict[str, Any]] = {}
    for flow in flows:
        place = places.get(flow.place)
        if place is None or flow.host == flow.place:
            continue
        row = totals.setdefault(flow.place, {
            "slug": place.slug, "name": place.name, "kind": place.kind,
            "departement": place.departement, "territory": place.territory,
            "lat": place.lat, "lon": place.lon, **_zero()})
        _add(row, flow)
    served = [row for row in totals.values() if row["beneficiaries"] > 0]
    served.sort(key=lambda r: (-r["beneficiaries"], -r["bookings"], r["name"]))
    return served


def network_served_places(data: YearData) -> list[dict[str, Any]]:
    """Every place served in the year, for the network report's map."""
    return _served_places(data.snap.places, data.snap.flows)


def _place_identity(place: Place) -> dict[str, Any]:
    dep = DEPARTEMENTS.get(place.departement)
    region = REGIONS.get(place.region)
    return {
        "slug": place.slug, "name": place.name, "kind": place.kind,
        "kind_label": labels.label(labels.PLACE_KIND, place.kind),
        "commune": place.commune, "departement": place.departement,
        "departement_name": dep.name if dep else place.departement,
        "region": place.region, "region_name": region.name if region else place.region,
        "territory": place.territory,
        "territory_label": labels.label(labels.TERRITORY, place.territory),
        "lat": place.lat, "lon": place.lon, "subsidy_eur": place.subsidy_eur,
    }


def place_report(data: YearData, place: Place) -> dict[str, Any]:
    """The contract's report of `place` for the year."""
    hub = data.hub(place.slug)
    flows = [f for f in data.flows_of_host(place.id) if f.host != f.place]
    by_kind, monthly = data.kinds(place.id), data.months(place.id)
    served = {f.place for f in flows if f.beneficiaries > 0}
    trainings = data.trainings.get(place.id, {"sessions": 0, "seats": 0, "attended": 0})
    host: dict[str, Any] = {
        "bookings": hub["bookings"] if hub else 0,
        "beneficiaries": hub["beneficiaries"] if hub else 0,
        "hours": hub["hours"] if hub else 0.0,
        "places_served": hub["places_served"] if hub else 0,
        "multiplier": hub["multiplier"] if hub else 0.0,
        "places_served_first_time": len(served - data.served_before.get(place.id, set())),
        "people_trained": trainings["attended"],
        "by_kind": by_kind,
        "by_territory": _by_territory(data.snap.places, flows),
        "monthly": monthly,
        "trainings": dict(trainings),
        "incubations": by_kind["incubation"]["bookings"],
    }
    for key in OPTIONAL_HUB_FIGURES:
        if hub is not None and key in hub:
            host[key] = hub[key]
    host["hubs_ranked"] = len(data.snap.hubs)
    host["served_places"] = _served_places(data.snap.places, flows)
    booked = [f for f in data.flows_to(place.id) if f.host != f.place]
    booker = _zero()
    for flow in booked:
        _add(booker, flow)
    booker["hubs_used"] = len({f.host for f in booked})
    return {"place": _place_identity(place), "year": data.year, "host": host, "booker": booker}


def network_report(data: YearData) -> dict[str, Any]:
    """The contract's network report for the year: national totals and one row per région
    (a booking counts in its host's région)."""
    snap = data.snap
    totals = snap.summary()["totals"]
    places = snap.places
    regions = {
        code: {"code": code, "name": region.name, **_zero(), "hubs": 0, "hubs_active": 0,
               "places_served": 0, "_served": set()}
        for code, region in REGIONS.items()
    }
    for hub in snap.hubs:
        row = regions.get(hub["region"])
        if row is not None:
            row["hubs"] += 1
            row["hubs_active"] += int(hub["multiplier"] > 0)
    for flow in snap.flows:
        host = places.get(flow.host)
        row = regions.get(host.region) if host is not None else None
        if row is None or flow.host == flow.place:
            continue
        _add(row, flow)
        if flow.beneficiaries > 0:
            row["_served"].add(flow.place)
    for row in regions.values():
        row["places_served"] = len(row.pop("_served"))
    served = {f.place for f in snap.flows if f.host != f.place and f.beneficiaries > 0}
    served_before = set().union(*data.served_before.values()) if data.served_before else set()
    by_kind, monthly = data.kinds(None), data.months(None)
    national: dict[str, Any] = {
        "bookings": totals["bookings"], "beneficiaries": totals["beneficiaries"],
        "hours": totals["hours"], "hubs": totals["hubs"], "hubs_active": totals["hubs_active"],
        "places_served": totals["places_served"],
        "places_served_first_time": len(served - served_before),
        "people_trained": sum(t["attended"] for t in data.trainings.values()),
        "incubations": by_kind["incubation"]["bookings"],
        "fabriques": totals["fabriques"] + totals["fabriques_numeriques"],
        "tiers_lieux": totals["tiers_lieux"],
        "by_kind": by_kind, "by_territory": _by_territory(places, snap.flows),
        "monthly": monthly,
    }
    for key in OPTIONAL_TOTALS:
        if key in totals:
            national[key] = totals[key]
    return {"year": data.year, "national": national,
            "regions": [regions[code] for code in sorted(regions)]}


def report_fabriques() -> list[Place]:
    """Every labelled fabrique, by name: the CLI writes one report for each."""
    return list(db.session.scalars(
        sa.select(Place).where(Place.kind.in_(HUB_KINDS)).order_by(Place.name, Place.id)
    ))


# ---------------------------------------------------------------- CSV


CSV_COLUMNS = [
    ("section", "Rubrique"), ("figure", "Indicateur"), ("detail", "Détail"), ("value", "Valeur"),
    ("section_code", "Code rubrique"), ("figure_code", "Code indicateur"),
    ("detail_code", "Code détail"),
]
FIGURE_LABELS = {
    "bookings": "Réservations", "beneficiaries": "Bénéficiaires", "hours": "Heures",
    "places_served": "Lieux servis", "multiplier": "Effet multiplicateur",
    "places_served_first_time": "Lieux servis pour la première fois",
    "people_trained": "Personnes formées (places de formation suivies)",
    "incubations": "Projets incubés", "verified_share": "Part des bénéficiaires constatés",
    "incubation_hours": "Heures d'incubation", "activation": "Lieux non servis l'année précédente",
    "rank": "Rang dans le réseau", "hubs_ranked": "Lieux classés", "hubs_used": "Fabriques sollicitées",
    "sessions": "Séances de formation", "seats": "Places de formation offertes",
    "attended": "Places de formation suivies",
}


def _csv_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(section: str, code: str, figure: str, value: Any, detail: str = "", detail_code: str = "") -> None:
        rows.append({"section": section, "figure": FIGURE_LABELS.get(figure, figure),
                     "detail": detail, "value": value, "section_code": code,
                     "figure_code": figure, "detail_code": detail_code})

    host, booker = report["host"], report["booker"]
    for key, value in host.items():
        if not isinstance(value, (dict, list)):
            add("Lieu hôte", "host", key, value)
    for kind, row in host["by_kind"].items():
        for key, value in row.items():
            add("Par type de ressource", "host.by_kind", key, value,
                labels.label(labels.RESOURCE_KIND, kind), kind)
    for territory, row in host["by_territory"].items():
        for key, value in row.items():
            add("Par territoire des lieux servis", "host.by_territory", key, value,
                labels.label(labels.TERRITORY, territory), territory)
    for row in host["monthly"]:
        for key in ("bookings", "beneficiaries", "hours"):
            add("Par mois", "host.monthly", key, row[key], labels.month_label(row["month"]), row["month"])
    for key, value in host["trainings"].items():
        add("Formations", "host.trainings", key, value)
    for key, value in booker.items():
        add("Lieu qui réserve", "booker", key, value)
    return rows


def place_report_csv(report: dict[str, Any]) -> str:
    return exports.table_csv(CSV_COLUMNS, _csv_rows(report))


def report_filename(report: dict[str, Any], extension: str) -> str:
    slug = report["place"]["slug"] if "place" in report else "reseau"
    return f"rapport-{slug}-{report['year']}.{extension}"


def years_offered() -> list[int]:
    """The years the year picker offers, the latest first."""
    return list(range(last_year(), FIRST_YEAR - 1, -1))


def default_year(today: date | None = None) -> int:
    """The year a report page opens on: the current one."""
    return (today or datetime.now(PARIS).date()).year
