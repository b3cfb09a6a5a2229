"""The demo network: `flask --app app demo [--scale small|national] [--seed N] [--if-empty]`.

Deterministic: every choice is drawn from `random.Random(seed)` (never the global
generator), so a seed always gives the same places, users, resources, sessions and
bookings. Dates are the one thing not fixed: the calendar is laid out relative to
today's date at midnight, Europe/Paris, so that the demo always has past bookings (with
attendance recorded) and upcoming ones. Two runs on the same day with the same seed give
identical databases; on another day, the same network shifted in time.

Capacity is never oversold, by construction: each resource's schedule is cut into
non-overlapping slots (blocks), and the active (pending + confirmed) quantities booked
in a block never exceed the capacity; training seats are filled up to the session's
seats, then requests go to the waitlist. The PostgreSQL EXCLUDE constraint on exclusive
bookings and the CHECK constraints hold on the generated data.

Rows are written with bulk Core inserts and explicit ids (sequences are moved past them
on PostgreSQL). The small network writes one audit entry per created booking; the
national one (1,000,000 bookings, for benchmarks) writes only one entry for the whole
seeding: a million audit rows would double the run time and the file for nothing a
benchmark reads.
"""
from __future__ import annotations

import bisect
import logging
import random
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from slugify import slugify

from hub import demo_data as data
from hub.extensions import db
from hub.geo import haversine_km
from hub.reference import departement_from_insee, region_of
from hub.services.accounts import hash_password
from models import (
    AuditEntry,
    Booking,
    Closure,
    Membership,
    Place,
    Qualification,
    Resource,
    TrainingSession,
    User,
)

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
DEMO_PASSWORD = "demo-maillage-2026"
DEMO_DOMAIN = "demo.maillage.fr"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
ANCT_EMAIL = f"anct@{DEMO_DOMAIN}"
KONK_MANAGER_EMAIL = f"gestion@konkarlab.{DEMO_DOMAIN}"
MEMBER_EMAIL = f"membre@{DEMO_DOMAIN}"
CHUNK = 20_000
ACTIVE = frozenset(("pending", "confirmed"))
# Tiers-lieux book from hubs within this distance.
SERVICE_RADIUS_KM = 60.0


def demo_accounts() -> list[tuple[str, str, str]]:
    """The demo accounts, one per role: (role, email, password)."""
    return [
        ("administrateur", ADMIN_EMAIL, DEMO_PASSWORD),
        ("ANCT", ANCT_EMAIL, DEMO_PASSWORD),
        ("gestionnaire de fabrique (Konk Ar Lab, Concarneau)", KONK_MANAGER_EMAIL, DEMO_PASSWORD),
        ("membre d'un tiers-lieu", MEMBER_EMAIL, DEMO_PASSWORD),
    ]


@dataclass(frozen=True)
class Scale:
    hubs: int
    tiers_lieux: int
    bookings: int
    months_back: int
    months_ahead: int
    audit: bool


SCALES: dict[str, Scale] = {
    # For the test suite: the small network's hubs, fewer places and bookings.
    "tiny": Scale(hubs=len(data.SMALL_HUBS), tiers_lieux=60, bookings=1_200, months_back=3,
                  months_ahead=1, audit=True),
    "small": Scale(hubs=len(data.SMALL_HUBS), tiers_lieux=200, bookings=6_000, months_back=6,
                   months_ahead=2, audit=True),
    "national": Scale(hubs=360, tiers_lieux=3_500, bookings=1_000_000, months_back=34,
                      months_ahead=2, audit=False),
}


class DemoError(click.ClickException):
    pass


# --- plain in-memory records of what is being built ----------------------------------

@dataclass
class _Place:
    id: int
    kind: str
    slug: str
    lat: float
    lon: float
    users: list[int] = field(default_factory=list)


@dataclass
class _Hub:
    place: _Place
    profile: str
    internal_share: float
    activity: float
    manager_id: int
    templates: list[str]
    clients: list[int] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    cum_weights: list[float] = field(default_factory=list)


@dataclass
class _Resource:
    id: int
    hub: _Hub
    template: data.ResourceTemplate
    capacity: int
    requires_approval: bool
    prerequisite_id: int | None
    weight: float
    closed_days: set[date] = field(default_factory=set)


@dataclass
class _Commune:
    insee: str
    name: str
    lat: float
    lon: float
    departement: str


def _communes() -> list[_Commune]:
    result = []
    for insee, name, lat, lon in data.COMMUNES:
        dep = departement_from_insee(insee)
        assert dep is not None, insee
        result.append(_Commune(insee, name, lat, lon, dep))
    return result


def _of(name: str) -> str:
    """French 'de' + name, with elision and contraction ("du Havre", "d'Amiens")."""
    for article, contracted in (("Le ", "du "), ("Les ", "des "), ("La ", "de la "), ("L'", "de l'")):
        if name.startswith(article):
            return contracted + name[len(article):]
    if name[0].lower() in "aeiouyéèêâîôûh":
        return "d'" + name
    return "de " + name


class _Builder:
    """Builds the demo network's rows and writes them in bulk, table by table."""

    def __init__(self, scale: Scale, seed: int, today: date, progress: bool) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        self.seed = seed
        self.today = today
        self.progress = progress
        self.start_day = _add_months(today, -scale.months_back)
        self.end_day = _add_months(today, scale.months_ahead)
        self._offsets: dict[date, timedelta] = {}
        self.now = self._utc(today, 0)  # "now" of the data: today's midnight, Paris
        self.communes = _communes()
        self.ids = {t: self._next_id(t) for t in (
            Place, User, Membership, Resource, Closure, TrainingSession, Booking, Qualification,
        )}
        self.places: list[_Place] = []
        self.hubs: list[_Hub] = []
        self.tiers_lieux: list[_Place] = []
        self.resources: list[_Resource] = []
        self.rows: dict[type, list[dict[str, Any]]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.slugs: set[str] = set()
        self.names: dict[str, int] = defaultdict(int)
        self.password_hash = hash_password(DEMO_PASSWORD)
        self.qualified: dict[int, tuple[list[datetime], list[tuple[int, int]]]] = {}
        self.week_hours: dict[tuple[int, int, int, int], float] = defaultdict(float)
        self.audit_rows: list[dict[str, Any]] = []
        self.booked_by_resource = 0
        self.bar: Any = None

    # --- ids, time -------------------------------------------------------------------

    @staticmethod
    def _next_id(model: type) -> int:
        return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1  # type: ignore[attr-defined]

    def _id(self, model: type) -> int:
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    def _utc(self, day: date, minute: int) -> datetime:
        """UTC instant of `minute` after midnight, Paris time, on `day` (daytime only)."""
        offset = self._offsets.get(day)
        if offset is None:
            # Slots are in the daytime: the noon offset is the day's, DST changes at night.
            offset = datetime(day.year, day.month, day.day, 12, tzinfo=PARIS).utcoffset()
            assert offset is not None
            self._offsets[day] = offset
        return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(minutes=minute) - offset

    # --- places and people -----------------------------------------------------------

    def _unique_name(self, name: str) -> str:
        self.names[name] += 1
        return name if self.names[name] == 1 else f"{name} {self.names[name]}"

    def _slug(self, name: str) -> str:
        base = slugify(name, max_length=100, word_boundary=True) or "lieu"
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug

    def _add_place(self, *, name: str, kind: str, commune: _Commune, lat: float, lon: float,
                   territory: str, **extra: Any) -> _Place:
        name = self._unique_name(name)
        slug = self._slug(name)
        place = _Place(self._id(Place), kind, slug, round(lat, 5), round(lon, 5))
        region = region_of(commune.departement)
        assert region is not None
        self.rows[Place].append({
            "id": place.id, "slug": slug, "name": name, "kind": kind, "commune": commune.name,
            "insee": commune.insee, "departement": commune.departement, "region": region.code,
            "territory": territory, "lat": place.lat, "lon": place.lon,
            "description": extra.get("description", ""), "website": extra.get("website"),
            "legal_form": extra.get("legal_form"), "label_wave": extra.get("label_wave"),
            "subsidy_eur": extra.get("subsidy_eur"), "created_at": self.now - timedelta(days=400),
        })
        self.places.append(place)
        return place

    def _add_user(self, email: str, name: str | None = None, role: str | None = None) -> int:
        user_id = self._id(User)
        if name is None:
            name = f"{self.rng.choice(data.FIRST_NAMES)} {self.rng.choice(data.LAST_NAMES)}"
        self.rows[User].append({
            "id": user_id, "email": email, "name": name, "password_hash": self.password_hash,
            "role": role, "created_at": self.now - timedelta(days=400),
        })
        return user_id

    def _add_member(self, place: _Place, user_id: int, role: str) -> None:
        self.rows[Membership].append({
            "id": self._id(Membership), "user_id": user_id, "place_id": place.id, "role": role,
            "created_at": self.now - timedelta(days=400),
        })
        place.users.append(user_id)

    def build_places(self) -> None:
        rng = self.rng
        by_insee = {c.insee: c for c in self.communes}
        specs = list(data.SMALL_HUBS)
        if self.scale.hubs > len(specs):
            specs = [data.KONK_AR_LAB, data.ESCANAUX] + self._national_hub_specs(self.scale.hubs - 2)
        for i, spec in enumerate(specs):
            commune = by_insee[spec.insee]
            # A few km around the town centre; rural hubs sit farther out.
            spread = 0.01 if spec.territory != "rural" or i < len(data.SMALL_HUBS) else 0.06
            lat = commune.lat + rng.uniform(-spread, spread)
            lon = commune.lon + rng.uniform(-spread, spread) * 1.4
            if spec.name:
                name = spec.name
            else:
                patterns = data.NUMERIQUE_NAME_PATTERNS if spec.kind == "fabrique_numerique" else data.HUB_NAME_PATTERNS
                name = rng.choice(patterns).format(de=_of(spec.quartier or commune.name))
            subsidy = rng.choice(data.SUBSIDIES_EUR)
            if spec.kind == "fabrique_numerique":
                subsidy += data.NUMERIQUE_EXTRA_EUR
            wave = data.LABEL_WAVES[0] if spec.name else rng.choice(data.LABEL_WAVES)
            description = spec.description
            if not spec.description:
                where = f"au cœur du quartier {spec.quartier}, à {commune.name}" if spec.quartier else f"à {commune.name} et alentour"
                description = (
                    f"Fabrique de territoire {where} : machines, formations et espaces "
                    "ouverts aux tiers-lieux et aux associations du territoire."
                )
            place = self._add_place(
                name=name, kind=spec.kind, commune=commune, lat=lat, lon=lon, territory=spec.territory,
                description=description, legal_form=spec.legal_form,
                website=spec.website, label_wave=date.fromisoformat(wave), subsidy_eur=subsidy,
            )
            profile = spec.profile or rng.choices(("even", "dominated", "mixed", "internal"), (3, 2, 4, 1))[0]
            internal = {"even": 0.05, "dominated": 0.1, "mixed": 0.2, "internal": 1.0}[profile]
            if spec.resources:
                templates = list(spec.resources)
            else:
                base, optional = (data.NUMERIQUE_CATALOGUE if spec.kind == "fabrique_numerique"
                                  else data.FABRIQUE_CATALOGUE)
                templates = list(base) + rng.sample(optional, rng.randint(2, 4))
            if spec is data.KONK_AR_LAB:
                manager = self._add_user(KONK_MANAGER_EMAIL, "Nolwenn Le Gall")
            else:
                manager = self._add_user(f"gestion.{place.slug}@{DEMO_DOMAIN}")
            self._add_member(place, manager, "manager")
            if rng.random() < 0.5:
                self._add_member(place, self._add_user(f"equipe.{place.slug}@{DEMO_DOMAIN}"), "member")
            self.hubs.append(_Hub(place, profile, internal, rng.uniform(0.5, 1.6), manager, templates))
        self._build_tiers_lieux()

    def _national_hub_specs(self, count: int) -> list[data.HubSpec]:
        rng = self.rng
        by_dep: dict[str, list[_Commune]] = defaultdict(list)
        for c in self.communes:
            by_dep[c.departement].append(c)
        prefectures = {c.departement: c for c in self.communes if c.insee in data.PREFECTURES}
        deps = sorted(by_dep)
        rng.shuffle(deps)
        chosen = deps + [rng.choice(deps) for _ in range(count - len(deps))]
        specs = []
        for i, dep in enumerate(chosen[:count]):
            territory = "qpv" if i % 2 == 0 else "rural"
            commune = prefectures[dep] if territory == "qpv" else rng.choice(by_dep[dep])
            kind = "fabrique_numerique" if rng.random() < 0.3 else "fabrique"
            specs.append(data.HubSpec(
                commune.insee, kind, territory,
                legal_form=rng.choices(_LEGAL_FORMS, _LEGAL_WEIGHTS)[0],
            ))
        return specs

    def _build_tiers_lieux(self) -> None:
        rng = self.rng
        hub_points = [(h.place.lat, h.place.lon) for h in self.hubs]
        near: list[list[_Commune]] = [
            [c for c in self.communes if haversine_km(lat, lon, c.lat, c.lon) <= SERVICE_RADIUS_KM - 8]
            for lat, lon in hub_points
        ]
        far = [c for c in self.communes
               if min(haversine_km(c.lat, c.lon, lat, lon) for lat, lon in hub_points) > SERVICE_RADIUS_KM + 10]
        n_far = max(3, self.scale.tiers_lieux // 15) if far else 0
        n_near = self.scale.tiers_lieux - n_far
        konk = self.hubs[0]
        member_place: _Place | None = None
        # Placed around hubs in turn, so every hub has places nearby.
        for i in range(n_near):
            hub_index = i % len(self.hubs) if i < 2 * len(self.hubs) else rng.randrange(len(self.hubs))
            choices = near[hub_index] or self.communes
            commune = rng.choice(choices)
            if i == 0:  # the demo member's place, a client of Konk Ar Lab
                commune = next(c for c in self.communes if c.insee == "29241")  # Rosporden
            spread = 0.02 if self.scale.hubs <= len(data.SMALL_HUBS) else 0.09
            place = self._add_tiers_lieu(commune, spread)
            if i == 0:
                member_place = place
        for commune in rng.sample(far, min(n_far, len(far))) if far else []:
            self._add_tiers_lieu(commune, 0.02)
        assert member_place is not None
        self._add_member(member_place, self._add_user(MEMBER_EMAIL, "Maëlle Quéré"), "member")
        self._serving_structure(konk, member_place)

    def _add_tiers_lieu(self, commune: _Commune, spread: float) -> _Place:
        rng = self.rng
        place = self._add_place(
            name=rng.choice(data.TIERS_LIEU_NAME_PATTERNS).format(de=_of(commune.name)),
            kind="tiers_lieu", commune=commune,
            lat=commune.lat + rng.uniform(-spread, spread), lon=commune.lon + rng.uniform(-spread, spread) * 1.4,
            territory=rng.choices(("qpv", "rural", "urbain"), (3, 4, 3))[0],
            description=rng.choice(data.TIERS_LIEU_DESCRIPTIONS),
            legal_form=rng.choices(_LEGAL_FORMS + (None,), _LEGAL_WEIGHTS + (3,))[0],
        )
        self._add_member(place, self._add_user(f"gestion.{place.slug}@{DEMO_DOMAIN}"), "manager")
        for k in range(rng.choice((0, 1, 1, 2))):
            self._add_member(place, self._add_user(f"membre{k + 1}.{place.slug}@{DEMO_DOMAIN}"), "member")
        self.tiers_lieux.append(place)
        return place

    def _serving_structure(self, konk: _Hub, member_place: _Place) -> None:
        """Each tiers-lieu books mostly from one to three hubs near it; a few from none."""
        rng = self.rng
        for place in self.tiers_lieux:
            candidates = []
            for hub in self.hubs:
                # Cheap box test before the great-circle distance.
                if abs(hub.place.lat - place.lat) > 0.6 or abs(hub.place.lon - place.lon) > 0.9:
                    continue
                km = haversine_km(place.lat, place.lon, hub.place.lat, hub.place.lon)
                if km <= SERVICE_RADIUS_KM:
                    candidates.append((km, hub.place.id, hub))
            if place is member_place:
                served_by = [konk]
            elif not candidates or rng.random() < 0.08:
                continue
            else:
                candidates.sort(key=lambda t: (t[0], t[1]))
                k = rng.choice((1, 1, 2, 2, 3))
                served_by = [h for _, _, h in rng.sample(candidates[:k + 1], min(k, len(candidates)))]
            for hub in served_by:
                if hub.profile == "internal":
                    continue
                hub.clients.append(place.id)
                hub.weights.append(1.0 if hub.profile != "mixed" else rng.lognormvariate(0, 1))
        for hub in self.hubs:
            if hub.profile == "dominated" and hub.clients:
                hub.weights[rng.randrange(len(hub.weights))] = 4 * sum(hub.weights) + 1
            total = 0.0
            for w in hub.weights:
                total += w
                hub.cum_weights.append(total)

    def build_users(self) -> None:
        self._add_user(ADMIN_EMAIL, "Administration Maillage", "admin")
        self._add_user(ANCT_EMAIL, "Équipe ANCT", "anct")

    # --- resources -------------------------------------------------------------------

    def build_resources(self) -> None:
        rng = self.rng
        for hub in self.hubs:
            # Trainings first: a machine's prerequisite must exist before it.
            keys = sorted(hub.templates, key=lambda k: data.RESOURCE_TEMPLATES[k].kind != "training")
            ids: dict[str, int] = {}
            for key in keys:
                t = data.RESOURCE_TEMPLATES[key]
                capacity = rng.randint(*t.capacity)
                if key == "kits_robotique" and hub is self.hubs[0]:
                    capacity = 8
                approval = t.requires_approval or (t.kind != "training" and rng.random() < 0.1)
                prerequisite = ids.get(t.prerequisite) if t.prerequisite else None
                res = _Resource(self._id(Resource), hub, t, capacity, approval, prerequisite,
                                t.weight * hub.activity)
                ids[key] = res.id
                self.rows[Resource].append({
                    "id": res.id, "place_id": hub.place.id, "kind": t.kind, "name": t.name,
                    "description": t.description, "capacity": capacity, "requires_approval": approval,
                    "prerequisite_id": prerequisite,
                    "opening_hours": data.OPENING_HOURS[t.hours] if t.publish_hours else None,
                    "max_hours_per_week": t.max_hours_per_week,
                    "min_duration_minutes": t.min_duration_minutes,
                    "max_duration_minutes": t.max_duration_minutes,
                    "min_notice_minutes": t.min_notice_minutes,
                    "archived_at": None, "created_at": self.now - timedelta(days=400),
                })
                if t.kind != "incubation" and rng.random() < 0.25:
                    self._add_closure(res)
                self.resources.append(res)

    def _add_closure(self, res: _Resource) -> None:
        rng = self.rng
        if rng.random() < 0.5:
            year = self.today.year if self.today.month > 8 else self.today.year - 1
            first, days, reason = date(year, 8, 1), 14, "Fermeture estivale"
        else:
            span = (self.end_day - self.start_day).days
            first = self.start_day + timedelta(days=rng.randrange(span))
            days, reason = rng.randint(2, 5), "Maintenance"
        last = first + timedelta(days=days)
        res.closed_days.update(first + timedelta(days=d) for d in range(days))
        self.rows[Closure].append({
            "id": self._id(Closure), "resource_id": res.id, "start_at": self._utc(first, 0),
            "end_at": self._utc(last, 0), "reason": reason,
        })

    # --- bookings --------------------------------------------------------------------

    def build_bookings(self) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=self.scale.bookings, unit=" réservations", disable=not self.progress,
                        file=sys.stderr, mininterval=0.5)
        trainings = [r for r in self.resources if r.template.kind == "training"]
        incubations = [r for r in self.resources if r.template.kind == "incubation"]
        others = [r for r in self.resources if r.template.kind in ("machine", "space")]
        remaining = self.scale.bookings
        remaining_weight = sum(r.weight for r in trainings + others)
        for group in (trainings, incubations, others):
            for res in group:
                if res.template.kind == "incubation":
                    made = self._incubation(res)
                else:
                    quota = round(remaining * res.weight / remaining_weight) if remaining_weight else 0
                    remaining_weight -= res.weight
                    made = self._training(res, quota) if res.template.kind == "training" else self._slots(res, quota)
                remaining -= made
            if group is trainings:
                self._grant_qualifications()
        self._flush(final=True)
        self.bar.close()

    def _days(self, res: _Resource) -> list[date]:
        days, d = [], self.start_day
        while d < self.end_day:
            if d not in res.closed_days:
                days.append(d)
            d += timedelta(days=1)
        return days

    @staticmethod
    def _grid(template: data.ResourceTemplate) -> list[list[tuple[int, int]]]:
        """Per weekday (0 = Monday), the resource's slots in minutes after midnight."""
        grid: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for day, intervals in data.OPENING_HOURS[template.hours].items():
            wd = _WEEKDAYS.index(day)
            for start, end in intervals:
                a, b = _minutes(start), _minutes(end)
                while a + template.block_minutes <= b:
                    grid[wd].append((a, a + template.block_minutes))
                    a += template.block_minutes
        return grid

    def _blocks(self, res: _Resource, wanted: int) -> Iterable[tuple[date, int, int]]:
        """Distinct slots drawn at random over the period, as many as asked for."""
        rng = self.rng
        days = self._days(res)
        grid = self._grid(res.template)
        total = sum(len(grid[d.weekday()]) for d in days)
        used: set[tuple[int, int]] = set()
        attempts = 0
        while len(used) < min(wanted, total) and attempts < 4 * wanted + 100:
            attempts += 1
            i = rng.randrange(len(days))
            slots = grid[days[i].weekday()]
            if not slots:
                continue
            j = rng.randrange(len(slots))
            if (i, j) in used:
                continue
            used.add((i, j))
            yield days[i], slots[j][0], slots[j][1]

    def _status(self, res: _Resource, past: bool) -> str:
        r = self.rng.random()
        if past:
            if res.requires_approval:
                return "confirmed" if r < 0.74 else "refused" if r < 0.88 else "cancelled"
            return "confirmed" if r < 0.88 else "cancelled"
        if res.requires_approval:
            return "pending" if r < 0.45 else "confirmed" if r < 0.8 else "refused" if r < 0.9 else "cancelled"
        return "confirmed" if r < 0.9 else "cancelled"

    def _booker(self, res: _Resource, start: datetime) -> tuple[int, int] | None:
        rng = self.rng
        if res.prerequisite_id is not None:
            times, who = self.qualified.get(res.prerequisite_id, ([], []))
            n = bisect.bisect_left(times, start)
            return who[rng.randrange(n)] if n else None
        hub = res.hub
        r = rng.random()
        if r < hub.internal_share or not hub.clients:
            return hub.place.id, hub.manager_id
        if r < hub.internal_share + 0.02:
            place = rng.choice(self.tiers_lieux)
        else:
            place_id = rng.choices(hub.clients, cum_weights=hub.cum_weights)[0]
            place = self.places[place_id - self.places[0].id]
        return place.id, rng.choice(place.users)

    def _within_quota(self, res: _Resource, place_id: int, day: date, hours: float) -> bool:
        limit = res.template.max_hours_per_week
        if limit is None:
            return True
        year, week, _ = day.isocalendar()
        key = (res.id, place_id, year, week)
        if self.week_hours[key] + hours > limit:
            return False
        self.week_hours[key] += hours
        return True

    def _book(self, res: _Resource, start: datetime, end: datetime, quantity: int, status: str,
              booker: tuple[int, int], *, past: bool, session_id: int | None = None) -> dict[str, Any]:
        rng = self.rng
        t = res.template
        notice = timedelta(minutes=t.min_notice_minutes or 0)
        created = min(start - notice - timedelta(hours=rng.randint(2, 21 * 24)),
                      self.now - timedelta(hours=rng.randint(1, 72)))
        updated = created
        attended = beneficiaries = None
        if status in ("confirmed", "refused", "cancelled"):
            updated = min(created + timedelta(hours=rng.randint(1, 48)), self.now)
        if status == "confirmed" and past:
            r = rng.random()
            if r < 0.82:
                attended = True
                beneficiaries = quantity if t.kind == "training" else rng.randint(*t.beneficiaries)
            elif r < 0.92:
                attended, beneficiaries = False, 0
            if attended is not None:
                updated = min(end + timedelta(hours=rng.randint(2, 72)), self.now)
        row = {
            "id": self._id(Booking), "resource_id": res.id, "place_id": booker[0],
            "user_id": booker[1], "session_id": session_id, "start_at": start, "end_at": end,
            "quantity": quantity, "beneficiaries": beneficiaries, "note": rng.choice(data.BOOKING_NOTES),
            "status": status,
            "refusal_reason": rng.choice(data.REFUSAL_REASONS) if status == "refused" else None,
            "attended": attended,
            "exclusive": res.capacity == 1 and t.kind != "training",
            "created_at": created, "updated_at": max(updated, created),
        }
        self.rows[Booking].append(row)
        if self.scale.audit:
            self.audit_rows.append({
                "at": created, "actor_id": booker[1], "action": "booking.created",
                "object_type": "booking", "object_id": row["id"],
                "data": {"resource_id": res.id, "place_id": booker[0], "quantity": quantity},
            })
        self.bar.update(1)
        return row

    def _maybe_flush(self) -> None:
        # Only between slots: a session row is complete (seats_taken) once its slot is done.
        if len(self.rows[Booking]) >= CHUNK:
            self._flush()

    def _slots(self, res: _Resource, quota: int) -> int:
        """Machines and spaces: per slot, active quantities up to the capacity."""
        rng = self.rng
        made = 0
        for day, a, b in self._blocks(res, quota):
            self._maybe_flush()
            if made >= quota:
                break
            start, end = self._utc(day, a), self._utc(day, b)
            past = day < self.today
            hours = (b - a) / 60
            free = res.capacity
            for _ in range(1 if res.capacity == 1 else rng.randint(1, 3)):
                if free == 0 or made >= quota:
                    break
                booker = self._booker(res, start)
                if booker is None:
                    break
                status = self._status(res, past)
                quantity = rng.randint(1, min(res.template.max_quantity, free))
                if status in ACTIVE:
                    if not self._within_quota(res, booker[0], day, hours):
                        continue
                    free -= quantity
                self._book(res, start, end, quantity, status, booker, past=past)
                made += 1
                # Someone else takes a slot that was refused or cancelled.
                if res.capacity == 1 and status not in ACTIVE and made < quota and rng.random() < 0.4:
                    other = self._booker(res, start)
                    if other is not None and self._within_quota(res, other[0], day, hours):
                        self._book(res, start, end, 1, "confirmed", other, past=past)
                        made += 1
                        free = 0
        return made

    def _training(self, res: _Resource, quota: int) -> int:
        """Sessions filled seat by seat; a full session puts later requests on its waitlist."""
        rng = self.rng
        made = 0
        attendance: dict[int, tuple[datetime, int]] = {}
        sessions = max(1, quota // max(1, res.capacity // 2))
        for day, a, b in self._blocks(res, sessions):
            self._maybe_flush()
            if made >= quota:
                break
            start, end = self._utc(day, a), self._utc(day, b)
            past = day < self.today
            session_id = self._id(TrainingSession)
            seats = res.capacity
            target = seats if rng.random() < 0.3 else rng.randint(1, seats)
            taken = 0
            session_row = {
                "id": session_id, "resource_id": res.id, "start_at": start, "end_at": end, "seats": seats,
                "seats_taken": 0, "created_at": min(start - timedelta(days=30), self.now),
            }
            self.rows[TrainingSession].append(session_row)
            for _ in range(2 * seats):
                if taken >= target or made >= quota:
                    break
                booker = self._booker(res, start)
                if booker is None:
                    break
                status = self._status(res, past)
                quantity = rng.randint(1, min(res.template.max_quantity, target - taken))
                if status in ACTIVE:
                    taken += quantity
                row = self._book(res, start, end, quantity, status, booker, past=past, session_id=session_id)
                made += 1
                if row["attended"]:
                    first = attendance.get(booker[1])
                    if first is None or end < first[0]:
                        attendance[booker[1]] = (end, booker[0])
            if taken == seats:
                for _ in range(rng.randint(1, 3)):
                    booker = self._booker(res, start)
                    if booker is None or made >= quota:
                        break
                    self._book(res, start, end, 1, "waitlisted", booker, past=past, session_id=session_id)
                    made += 1
            session_row["seats_taken"] = taken
        entries = sorted((end, place_id, user_id) for user_id, (end, place_id) in attendance.items())
        self.qualified[res.id] = ([e[0] for e in entries], [(e[1], e[2]) for e in entries])
        return made

    def _grant_qualifications(self) -> None:
        for training_id, (times, who) in self.qualified.items():
            for at, (_, user_id) in zip(times, who):
                self.rows[Qualification].append({
                    "id": self._id(Qualification), "user_id": user_id, "training_id": training_id,
                    "granted_by_id": None, "source": "attendance", "created_at": at,
                })

    def _incubation(self, res: _Resource) -> int:
        """Long stays, one lane per incubatee place: lanes never overlap themselves."""
        rng = self.rng
        made = 0
        for _ in range(res.capacity):
            self._maybe_flush()
            day = self.start_day + timedelta(days=rng.randint(0, 45))
            while True:
                last = day + timedelta(weeks=rng.choice((4, 6, 8, 12)))
                if last >= self.end_day:
                    break
                start, end = self._utc(day, 9 * 60), self._utc(last, 18 * 60)
                booker = self._booker(res, start)
                if booker is not None:
                    past = last < self.today
                    if day < self.today <= last:
                        status = "confirmed"
                    else:
                        status = self._status(res, past)
                    self._book(res, start, end, 1, status, booker, past=past)
                    made += 1
                    if status not in ACTIVE:
                        # The lane stays free: another place gets the same period.
                        continue
                day = last + timedelta(days=rng.randint(1, 21))
        return made

    # --- writing ---------------------------------------------------------------------

    _ORDER = (User, Place, Membership, Resource, Closure, TrainingSession, Booking, Qualification)

    def _flush(self, final: bool = False) -> None:
        """Insert what is buffered, parents before children."""
        for model in self._ORDER:
            if model is Qualification and not final:
                continue
            rows = self.rows.pop(model, [])
            if rows:
                self.counts[model.__tablename__] += len(rows)  # type: ignore[attr-defined]
                _insert(model, rows)
        if self.audit_rows:
            _insert(AuditEntry, self.audit_rows)
            self.audit_rows = []

    def run(self) -> dict[str, int]:
        self.build_users()
        self.build_places()
        self.build_resources()
        self._flush()
        self.build_bookings()
        db.session.add(AuditEntry(
            actor_id=None, action="demo.seeded", object_type="system", object_id=None,
            data={"scale": _scale_name(self.scale), "seed": self.seed, "today": self.today.isoformat(),
                  "bookings": self.counts["bookings"]},
        ))
        db.session.flush()
        _reset_sequences(self._ORDER + (AuditEntry,))
        return dict(self.counts)


def _insert(model: type, rows: list[dict[str, Any]]) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    for i in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(table), rows[i:i + CHUNK])


def _reset_sequences(models: Iterable[type]) -> None:
    """Rows were written with explicit ids: move PostgreSQL's sequences past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        name = model.__tablename__  # type: ignore[attr-defined]
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
        ))


def _scale_name(scale: Scale) -> str:
    return next(name for name, s in SCALES.items() if s is scale)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, 28))


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def today_in_paris() -> date:
    return datetime.now(PARIS).date()


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LEGAL_FORMS = ("association", "fondation", "entreprise", "collectivite", "gip_gie", "syndicat_mixte", "consortium")
_LEGAL_WEIGHTS = (10, 1, 2, 3, 1, 1, 1)


def has_places() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Place)) > 0


def seed_demo(scale: str = "small", seed: int = 1, *, today: date | None = None,
              progress: bool = False) -> dict[str, int]:
    """Seed the demo network into an empty database; flushes, the caller commits."""
    if scale not in SCALES:
        raise DemoError(f"Échelle inconnue : {scale}.")
    if has_places():
        raise DemoError(
            "La base contient déjà des lieux : le réseau de démonstration s'installe "
            "dans une base vide (utilisez --if-empty pour ne rien faire dans ce cas)."
        )
    taken = db.session.scalars(sa.select(User.email).where(User.email.like(f"%{DEMO_DOMAIN}"))).first()
    if taken:
        raise DemoError(f"Un compte de démonstration existe déjà ({taken}).")
    return _Builder(SCALES[scale], seed, today or today_in_paris(), progress).run()


@click.command("demo")
@click.option("--scale", type=click.Choice(["small", "national", "tiny"]), default="small",
              show_default=True, help="small : ~30 fabriques ; national : 360 fabriques, 1 000 000 réservations ; tiny : pour les tests.")
@click.option("--seed", type=int, default=1, show_default=True, help="Graine du tirage (même graine, même réseau).")
@click.option("--if-empty", is_flag=True, help="Ne rien faire si la base contient déjà des lieux.")
@with_appcontext
def demo_command(scale: str, seed: int, if_empty: bool) -> None:
    """Seed the demo network (deterministic for a seed; dates relative to today)."""
    if if_empty and has_places():
        click.echo("La base contient déjà des lieux : réseau de démonstration non installé.")
        if db.session.scalar(sa.select(User.id).where(User.email == ADMIN_EMAIL)) is not None:
            _print_accounts()
        return
    try:
        counts = seed_demo(scale, seed, progress=scale == "national")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    click.echo(
        f"Réseau de démonstration installé ({scale}, graine {seed}) : "
        f"{counts.get('places', 0)} lieux, {counts.get('resources', 0)} ressources, "
        f"{counts.get('training_sessions', 0)} sessions, {counts.get('bookings', 0)} réservations, "
        f"{counts.get('users', 0)} comptes."
    )
    _print_accounts()


def _print_accounts() -> None:
    click.echo(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
    for role, email, _ in demo_accounts():
        click.echo(f"  {role:<52} {email}")
