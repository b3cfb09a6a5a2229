"""The network as ANCT sees it: reading the served flows, caching the figures.

The served flows per (host place, booking place) come from the monthly aggregates that
every booking change keeps current (`hub.services.analytics`), the partial months at the
edges of a period from those days' bookings; the graph work runs in Python on those few
thousand flows (`hub.rules.network`). The result is cached per period and per
fingerprint of the data (latest booking change, resources, places), so a warm
request costs three small queries; any booking change (its `updated_at` moves),
any new or removed resource, and any edit of a place start a fresh computation.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping

import sqlalchemy as sa
from flask import current_app

from hub.errors import Forbidden, Invalid, NotFound
from hub.extensions import db
from hub.reference import REGIONS
from hub.rules import permissions
from hub.rules import communities as communities_rules
from hub.rules import network as metrics
from hub.rules.flow_index import FlowIndex
from hub.services import analytics
from hub.services import network_live as live
from hub.services import places as places_service
from hub.rules.network import Flow, PlaceInfo
from hub.timeutil import parse_datetime, to_iso
from models import Booking, Membership, Place, Resource, User

logger = logging.getLogger(__name__)

CACHE_SIZE = 16
_cache_lock = threading.Lock()


# ---------------------------------------------------------------- the period


@dataclass(frozen=True)
class Period:
    """Bookings starting in [start, end); None = unbounded on that side."""

    start: datetime | None = None
    end: datetime | None = None

    @property
    def bounded(self) -> bool:
        return self.start is not None and self.end is not None

    def previous(self) -> Period | None:
        """The period of the same length just before, for `activation`."""
        if not self.bounded:
            return None
        assert self.start is not None and self.end is not None
        try:
            return Period(self.start - (self.end - self.start), self.start)
        except OverflowError:
            return None

    def as_dict(self) -> dict[str, str | None]:
        return {"from": to_iso(self.start), "to": to_iso(self.end)}

    def query_args(self) -> dict[str, str]:
        """?from=&to= as the pages' links carry them (Paris dates or datetimes)."""
        args = {}
        for name, value in (("from", self.start), ("to", self.end)):
            if value is not None:
                args[name] = to_iso(value) or ""
        return args


def parse_period(args: Mapping[str, Any]) -> Period:
    """`from`/`to` from a query string: ISO dates or datetimes, naive = Paris time.

    Raises Invalid (422) naming the faulty fields.
    """
    errors: dict[str, str] = {}
    values: dict[str, datetime | None] = {}
    for name in ("from", "to"):
        raw = args.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            values[name] = None
            continue
        try:
            values[name] = parse_datetime(raw)
        except (ValueError, TypeError, OverflowError):
            values[name] = None
            errors[name] = "Date invalide (format attendu : AAAA-MM-JJ ou AAAA-MM-JJTHH:MM)."
    start, end = values["from"], values["to"]
    if start is not None and end is not None and end <= start:
        errors["to"] = "La fin de la période doit être après son début."
    if errors:
        raise Invalid("La période demandée est invalide.", fields=errors)
    return Period(start, end)


# ---------------------------------------------------------------- reading the data


def read_flows(period: Period) -> list[Flow]:
    return analytics.read_flows(period.start, period.end)


def flows_query(period: Period, dialect: str) -> sa.Select:
    """(host, place, bookings, beneficiaries, hours of use) of the confirmed external
    bookings of `period`, straight from the bookings and counted as the aggregates count
    them (hub.services.analytics): for the breakdowns the aggregates do not keep. Hours of
    use, as in /network/hubs: an incubation's months are counted apart."""
    query = analytics.bookings_flows_query(period.start, period.end, dialect)
    columns = list(query.selected_columns)
    return query.with_only_columns(*columns[:4], columns[5], maintain_column_froms=True)


def _paris_month(dialect: str) -> sa.ColumnElement[str]:
    """The booking's start as its Paris month "YYYY-MM" (same on both databases)."""
    if dialect == "postgresql":
        return sa.func.to_char(sa.func.timezone("Europe/Paris", Booking.start_at), "YYYY-MM")
    # SQLite knows no time zones. Paris is UTC+1, or UTC+2 in summer time, and only the
    # last two hours of a UTC month can fall in the next Paris month: summer time is on
    # at the end of March to September (it starts before 31 March and ends before
    # 31 October, at 01:00 UTC on last Sundays), off at the end of the other months.
    month = sa.cast(sa.func.substr(Booking.start_at, 6, 2), sa.Integer)
    shift = sa.case((month.between(3, 9), "+2 hours"), else_="+1 hours")
    return sa.func.strftime("%Y-%m", sa.func.substr(Booking.start_at, 1, 19), shift)


def read_flows_totals_by(
    period: Period, by: str, host: int | None = None
) -> list[tuple[int, str, int, int, float]]:
    """(host, key, bookings, beneficiaries, hours) per host and resource kind (`by` =
    "kind") or Paris month ("month"): the flows of `flows_query` split by that key and
    summed, so the yearly reports' breakdowns add up to the hubs' figures."""
    dialect = db.engine.dialect.name
    key = Resource.kind if by == "kind" else _paris_month(dialect)
    inner = flows_query(period, dialect).add_columns(key).group_by(key)
    if host is not None:
        inner = inner.where(Resource.place_id == host)
    c = list(inner.subquery().c)
    query = sa.select(c[0], c[-1], sa.func.sum(c[2]), sa.func.sum(c[3]), sa.func.sum(c[4]))
    return [
        (int(h), str(k), int(n or 0), int(ben or 0), float(hours or 0.0))
        for h, k, n, ben, hours in db.session.execute(query.group_by(c[0], c[-1]))
    ]


def read_host_flows(period: Period, host: int | None = None) -> list[Flow]:
    """`read_flows`, of one host only when `host` is given."""
    flows = read_flows(period)
    return flows if host is None else [flow for flow in flows if flow.host == host]


def _read_places() -> list[tuple]:
    rows = db.session.execute(
        sa.select(
            Place.id, Place.slug, Place.name, Place.kind, Place.departement, Place.region,
            Place.territory, Place.lat, Place.lon, Place.subsidy_eur,
        ).order_by(Place.id)
    )
    return [tuple(row) for row in rows]


def _fingerprint() -> tuple:
    # The analytics clock, ticked in commit order by every commit that changes a counted
    # booking: max(updated_at) and max(id) are taken before the commit, and miss one that
    # commits after a later-stamped one (PostgreSQL). Separate statements: SQLite answers a
    # lone max() from the index, but scans the table for max(a), max(b) in one SELECT.
    # Bookings deleted in cascade go with a resource or a place, which the others see.
    # Places: every edit moves updated_at (the column's onupdate), an insertion max(id),
    # a deletion the count; a digest of their fields cost 100 ms a request.
    places = "|".join(str(v) for v in db.session.execute(
        sa.select(sa.func.count(), sa.func.max(Place.id), sa.func.max(Place.updated_at))
    ).one())
    return (
        analytics.clock_reading(),
        str(db.session.scalar(sa.select(sa.func.max(Booking.updated_at)))),
        db.session.scalar(sa.select(sa.func.max(Booking.id))),
        tuple(db.session.execute(
            sa.select(sa.func.count(), sa.func.max(Resource.id)).select_from(Resource)
        ).one()),
        hashlib.blake2b(places.encode(), digest_size=16).hexdigest(),
    )


# ---------------------------------------------------------------- the snapshot


@dataclass
class Snapshot:
    """The network for one period, as the database held it at one fingerprint.

    Every part, the flows included, is computed on first use and kept with the
    snapshot: under a stream of bookings most requests meet a fresh snapshot, and the
    monthly series need no flows, the graph and the communities no hub figures.
    """

    period: Period
    places: dict[int, PlaceInfo]
    _lazy: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Shared by the snapshots of one period over the same places (see `network_live.Carry`).
    carry: live.Carry | None = None

    def memo(self, name: str, compute: Callable[[], Any]) -> Any:
        if name not in self._lazy:
            value = compute()
            with self._lock:
                self._lazy.setdefault(name, value)
        return self._lazy[name]

    @property
    def flows(self) -> list[Flow]:
        if self.carry is None or self.period != Period():
            return self.memo("flows", lambda: read_flows(self.period))
        if "flows" not in self._lazy:
            carry = self.carry
            flows, version = live.totals_mirror().read_versioned(carry.places_digest)
            with self._lock:
                self._lazy.setdefault("flows", flows)
                self._lazy.setdefault("flows_version", version)
        return self._lazy["flows"]

    def _indexed(self, name: str, use: Callable[[FlowIndex], Any]) -> Any | None:
        """`use(index)` on the running sums of this snapshot's flows, memoized as
        `name`; None when the period has no running sums (bounded periods)."""
        if self.carry is None or self.period != Period():
            return None
        flows = self.flows
        version = self._lazy["flows_version"]
        return self.memo(name, lambda: self.carry.with_index(flows, version, use))  # type: ignore[union-attr]

    @property
    def previous_flows(self) -> list[Flow] | None:
        previous = self.period.previous()
        return self.memo("previous_flows", lambda: read_flows(previous) if previous else None)

    @property
    def hubs(self) -> list[dict[str, Any]]:
        found = self._indexed("hubs", lambda index: index.hub_metrics())
        if found is not None:
            return found
        memo = self.carry.hubs if self.carry is not None else None
        return self.memo(
            "hubs",
            lambda: metrics.hub_metrics(self.places, self.flows, self.previous_flows, memo),
        )

    def graph_json(self) -> str:
        """The whole served graph as networkx node-link JSON (`edges="links"`), the text
        Flask's `jsonify` would write for it (`network_live.graph_json`)."""
        links = self._indexed("graph-links", lambda index: live.links_by_host(self.places, index))
        return self.memo("graph-json-text", lambda: live.graph_json(self, links))

    def hub(self, slug: str) -> dict[str, Any]:
        for item in self.hubs:
            if item["slug"] == slug:
                return item
        raise NotFound("Ce lieu n'a pas de figures de réseau.")

    @property
    def medians(self) -> dict[str, float | None]:
        return self.memo("medians", lambda: metrics.network_medians(self.hubs))

    @property
    def graph(self):  # type: ignore[no-untyped-def]
        return self.memo("graph", lambda: metrics.served_graph(self.places, self.flows))

    @property
    def departements(self) -> list[dict[str, Any]]:
        hubs = self.hubs
        found = self._indexed("departements", lambda index: index.coverage_by_departement(hubs))
        if found is not None:
            return found
        return self.memo(
            "departements",
            lambda: metrics.coverage_by_departement(self.places, self.flows, self.hubs),
        )

    @property
    def regions(self) -> list[dict[str, Any]]:
        return self.memo("regions", lambda: metrics.coverage_by_region(self.departements))

    @property
    def territories(self) -> dict[str, dict[str, Any]]:
        found = self._indexed("territories", lambda index: index.territory_breakdown())
        if found is not None:
            return found
        return self.memo(
            "territories", lambda: metrics.territory_breakdown(self.places, self.flows)
        )

    @property
    def communities(self) -> dict[str, Any]:
        found = self._indexed("communities", lambda index: index.communities())
        if found is not None:
            return found
        return self.memo("communities", lambda: communities_rules.communities(self.places, self.flows))

    @property
    def shared_clientele(self) -> list[dict[str, Any]]:
        return self.memo(
            "shared", lambda: metrics.shared_clientele(self.places, self.flows)
        )

    @property
    def unserved(self) -> list[dict[str, Any]]:
        if self.carry is None:
            return self.memo(
                "unserved", lambda: metrics.unserved_tiers_lieux(self.places, self.flows)
            )
        # It depends on the flows only through the set of places served.
        served = frozenset(f.place for f in self.flows if f.host != f.place and f.beneficiaries > 0)
        carry = self.carry

        def compute() -> list[dict[str, Any]]:
            found = carry.unserved
            if found is None or found[0] != served:
                found = carry.unserved = (served, metrics.unserved_tiers_lieux(self.places, self.flows))
            return found[1]

        return self.memo("unserved", compute)

    @property
    def monthly(self) -> dict[str, Any]:
        if self.carry is None or self.period != Period():
            return self.memo("monthly", lambda: _read_monthly(self.period))
        carry = self.carry

        def compute() -> dict[str, Any]:
            if carry.territory_of is None:
                carry.territory_of = {pid: p.territory for pid, p in carry.places.items()}
            rows = live.months_mirror().read(carry.territory_of, carry.places_digest)
            return metrics.monthly_by_territory((), rows)

        return self.memo("monthly", compute)

    def summary(self) -> dict[str, Any]:
        return self.memo("summary", self._summary)

    def _summary(self) -> dict[str, Any]:
        kinds: dict[str, int] = {"fabrique": 0, "fabrique_numerique": 0, "tiers_lieu": 0}
        for place in self.places.values():
            kinds[place.kind] = kinds.get(place.kind, 0) + 1
        territories = self.territories
        sums = self._indexed("sums", lambda index: (
            [int(index.totals[0]), int(index.totals[1]), int(index.totals[2]),
             float(index.totals[3]), float(index.totals[4])], index.served))
        if sums is None:
            flows = self.flows
            sums = ([sum(f.bookings for f in flows), sum(f.beneficiaries for f in flows),
                     sum(f.verified for f in flows), sum(f.hours for f in flows),
                     sum(f.incubation_hours for f in flows)],
                    len({f.place for f in flows if f.beneficiaries > 0}))
        (bookings, beneficiaries, verified, hours, incubation_hours), served = sums
        inclusive = sum(territories[t]["beneficiaries"] for t in ("qpv", "rural"))
        without = [d for d in self.departements if d["without_fabrique"]]
        return {
            "period": self.period.as_dict(),
            "totals": {
                "places": len(self.places),
                "fabriques": kinds.get("fabrique", 0),
                "fabriques_numeriques": kinds.get("fabrique_numerique", 0),
                "tiers_lieux": kinds.get("tiers_lieu", 0),
                "hubs": len(self.hubs),
                "hubs_active": sum(1 for h in self.hubs if h["multiplier"] > 0),
                "places_served": served,
                "flows": len(self.flows),
                "bookings": bookings,
                "beneficiaries": beneficiaries,
                "hours": hours,
                "incubation_hours": incubation_hours,
                "verified_share": verified / beneficiaries if beneficiaries else None,
                "qpv_rural_share": inclusive / beneficiaries if beneficiaries else None,
                "multiplier_total": sum(h["multiplier"] for h in self.hubs),
                "multiplier_median": self.medians["multiplier"],
                "departements_without_fabrique": len(without),
                "tiers_lieux_unserved": len(self.unserved),
            },
            "by_territory": territories,
            "by_departement": self.departements,
            "by_region": self.regions,
            "departements_without_fabrique": [d["code"] for d in without],
        }


def _read_monthly(period: Period) -> dict[str, Any]:
    hour_rows, month_rows = analytics.read_monthly(period.start, period.end)
    return metrics.monthly_by_territory(hour_rows, month_rows)


def _cache() -> OrderedDict:
    return current_app.extensions.setdefault("network_cache", OrderedDict())


def snapshot(period: Period | None = None) -> Snapshot:
    """The network's figures for `period` (all time by default), from the cache when
    nothing changed since they were computed."""
    period = period or Period()
    key = (period, _fingerprint())
    cache = _cache()
    with _cache_lock:
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
            return found
    carries = current_app.extensions.setdefault("network_carry", OrderedDict())
    places_digest = key[1][-1]
    with _cache_lock:
        carry = carries.get((period, places_digest))
        if carry is None:
            # Same places as another period's carry: the rows need not be read again.
            carry = next((c for (_, d), c in carries.items() if d == places_digest), None)
            places = carry.places if carry is not None else None
            carry = None
    if carry is None:
        if places is None:
            places = {row[0]: PlaceInfo(*row) for row in _read_places()}
        carry = live.Carry(places, places_digest)
    result = Snapshot(period=period, places=carry.places, carry=carry)
    with _cache_lock:
        cache[key] = result
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
        carries[(period, places_digest)] = carry
        carries.move_to_end((period, places_digest))
        while len(carries) > CACHE_SIZE:
            carries.popitem(last=False)
    return result


# ---------------------------------------------------------------- access and views


def check_reader(user: User) -> None:
    if not permissions.may_read_network(places_service.actor_of(user)):
        raise Forbidden("Seuls l'ANCT et les administrateurs consultent le réseau.")


def may_read_hub(user: User, slug: str) -> Place:
    """The place whose figures `user` may read: admin/anct, or a manager of it."""
    place = db.session.scalar(sa.select(Place).where(Place.slug == slug))
    if place is None:
        raise NotFound("Ce lieu n'existe pas.")
    if not permissions.may_read_hub_figures(places_service.actor_of(user), place.id):
        raise Forbidden("Seuls les gestionnaires de ce lieu voient ses figures.")
    return place


def managed_hubs(user: User) -> list[Place]:
    """The places `user` manages that host resources or are labelled fabriques."""
    return list(
        db.session.scalars(
            sa.select(Place)
            .join(Membership, Membership.place_id == Place.id)
            .where(Membership.user_id == user.id, Membership.role == "manager")
            .where(
                sa.or_(
                    Place.kind.in_(metrics.HUB_KINDS),
                    sa.exists().where(Resource.place_id == Place.id),
                )
            )
            .order_by(Place.name)
        )
    )


def hub_with_medians(snap: Snapshot, slug: str) -> dict[str, Any]:
    """One hub's figures beside the network median (and its rank)."""
    hub = snap.hub(slug)
    return {
        "hub": hub,
        "medians": snap.medians,
        "hubs": len(snap.hubs),
        "period": snap.period.as_dict(),
    }


def region_graph(snap: Snapshot, region: str | None) -> Any:
    if region is None:
        return snap.graph
    if region not in REGIONS:
        raise Invalid("Région inconnue.", fields={"region": "Code de région inconnu."})
    return metrics.subgraph_of_region(snap.graph, region)


# ---------------------------------------------------------------- tables

# Each exported table: its rows for a snapshot, and its columns (key, French header).
HUB_COLUMNS = [
    ("rank", "Rang"), ("slug", "Identifiant"), ("name", "Nom"), ("kind", "Type"),
    ("departement", "Département"), ("region", "Région"),
    ("multiplier", "Effet multiplicateur (M)"), ("effective_reach", "Portée effective (N)"),
    ("inclusion", "Inclusion (Q)"), ("spread", "Rayonnement (D)"),
    ("bridging", "Décloisonnement (P)"), ("places_served", "Lieux servis (R)"),
    ("bookings", "Réservations"), ("beneficiaries", "Bénéficiaires"),
    ("verified_share", "Part des bénéficiaires constatés"), ("hours", "Heures d'utilisation"),
    ("incubation_hours", "Heures d'incubation"),
    ("median_km", "Distance médiane (km)"),
    ("sole_provider_share", "Part de lieux servis par elle seule"),
    ("activation", "Lieux nouvellement servis"), ("subsidy_eur", "Subvention (€)"),
    ("bookings_per_50k", "Réservations pour 50 000 €"),
    ("beneficiaries_per_50k", "Bénéficiaires pour 50 000 €"),
]
DEPARTEMENT_COLUMNS = [
    ("code", "Code"), ("name", "Département"), ("region", "Code région"),
    ("region_name", "Région"), ("fabriques", "Fabriques"),
    ("fabriques_numeriques", "Fabriques numériques"), ("tiers_lieux", "Tiers-lieux"),
    ("places_served", "Lieux servis"), ("bookings", "Réservations reçues"),
    ("beneficiaries", "Bénéficiaires reçus"),
    ("beneficiaries_provided", "Bénéficiaires servis par les lieux du département"),
    ("hubs_active", "Lieux actifs (M > 0)"), ("without_fabrique", "Sans fabrique"),
]
REGION_COLUMNS = [
    ("code", "Code"), ("name", "Région"), ("departements", "Départements"),
    ("departements_without_fabrique", "Départements sans fabrique"),
    ("fabriques", "Fabriques"), ("fabriques_numeriques", "Fabriques numériques"),
    ("tiers_lieux", "Tiers-lieux"), ("places_served", "Lieux servis"),
    ("bookings", "Réservations reçues"), ("beneficiaries", "Bénéficiaires reçus"),
    ("beneficiaries_provided", "Bénéficiaires servis"), ("hubs_active", "Lieux actifs"),
]
TERRITORY_COLUMNS = [
    ("territory", "Territoire"), ("places", "Lieux"), ("tiers_lieux", "Tiers-lieux"),
    ("places_served", "Lieux servis"), ("bookings", "Réservations"),
    ("beneficiaries", "Bénéficiaires"), ("hours", "Heures"),
    ("beneficiaries_share", "Part des bénéficiaires"),
]
UNSERVED_COLUMNS = [
    ("slug", "Identifiant"), ("name", "Nom"), ("departement", "Département"),
    ("region", "Région"), ("territory", "Territoire"), ("lat", "Latitude"),
    ("lon", "Longitude"), ("nearest_hub_km", "Fabrique la plus proche (km)"),
]
SHARED_COLUMNS = [
    ("hub_a", "Lieu A"), ("name_a", "Nom A"), ("hub_b", "Lieu B"), ("name_b", "Nom B"),
    ("places", "Lieux servis en commun"), ("beneficiaries", "Bénéficiaires (A + B)"),
]
COMMUNITY_COLUMNS = [
    ("id", "Communauté"), ("size", "Lieux"), ("hub_count", "Fabriques"),
    ("departements", "Départements (du plus représenté)"), ("hubs", "Fabriques (identifiants)"),
]
BRIDGING_COLUMNS = [
    ("slug", "Identifiant"), ("name", "Nom"), ("kind", "Type"),
    ("departement", "Département"), ("community", "Sa communauté"),
    ("communities", "Communautés servies"), ("community_ids", "Lesquelles"),
]
MONTHLY_COLUMNS = [
    ("month", "Mois"), ("territory", "Territoire"), ("bookings", "Réservations"),
    ("beneficiaries", "Bénéficiaires"),
]


def _monthly_rows(snap: Snapshot) -> list[dict[str, Any]]:
    monthly = snap.monthly
    return [
        {"month": month, "territory": territory,
         "bookings": series["bookings"][i], "beneficiaries": series["beneficiaries"][i]}
        for i, month in enumerate(monthly["months"])
        for territory, series in monthly["territories"].items()
    ]


def _community_rows(snap: Snapshot) -> list[dict[str, Any]]:
    return [
        {**{k: c[k] for k in ("id", "size", "departements", "hubs")}, "hub_count": len(c["hubs"])}
        for c in snap.communities["communities"]
    ]


TABLES: dict[str, tuple[str, list[tuple[str, str]], Callable[[Snapshot], list[dict[str, Any]]]]] = {
    "lieux": ("Classement des lieux", HUB_COLUMNS, lambda s: s.hubs),
    "departements": ("Couverture par département", DEPARTEMENT_COLUMNS, lambda s: s.departements),
    "regions": ("Couverture par région", REGION_COLUMNS, lambda s: s.regions),
    "territoires": (
        "Par territoire", TERRITORY_COLUMNS,
        lambda s: [{"territory": t, **row} for t, row in s.territories.items()],
    ),
    "non-desservis": ("Tiers-lieux non desservis", UNSERVED_COLUMNS, lambda s: s.unserved),
    "clientele-partagee": ("Clientèle partagée", SHARED_COLUMNS, lambda s: s.shared_clientele),
    "communautes": ("Communautés", COMMUNITY_COLUMNS, _community_rows),
    "passerelles": (
        "Lieux passerelles entre communautés", BRIDGING_COLUMNS,
        lambda s: s.communities["bridging_hubs"],
    ),
    "mensuel": ("Activité mensuelle par territoire", MONTHLY_COLUMNS, _monthly_rows),
}


def table(snap: Snapshot, name: str) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    if name not in TABLES:
        raise NotFound("Ce tableau n'existe pas.")
    _, columns, rows = TABLES[name]
    return columns, rows(snap)
