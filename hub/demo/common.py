"""What the demo's builders share: its accounts, its scales, the time of its data, and
plain in-memory records of the places and resources being built."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from hub.demo import data
from hub.reference import communes as reference_communes
from hub.timeutil import PARIS

DEMO_PASSWORD = "demo-maillage-2026"
DEMO_DOMAIN = "demo.maillage.fr"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
ANCT_EMAIL = f"anct@{DEMO_DOMAIN}"
KONK_MANAGER_EMAIL = f"gestion@konkarlab.{DEMO_DOMAIN}"
MEMBER_EMAIL = f"membre@{DEMO_DOMAIN}"
# Tiers-lieux book from hubs within this distance.
SERVICE_RADIUS_KM = 60.0
LEGAL_FORMS = ("association", "fondation", "entreprise", "collectivite", "gip_gie", "syndicat_mixte", "consortium")
LEGAL_WEIGHTS = (10, 1, 2, 3, 1, 1, 1)


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
    name: str
    hubs: int
    tiers_lieux: int
    bookings: int
    months_back: int
    months_ahead: int
    # One audit entry per change, as the services write them; otherwise only the
    # seeding's own entry (a million bookings' history would double the run for
    # nothing a benchmark reads).
    audit: bool


SCALES: dict[str, Scale] = {
    # For the test suite: the small network's hubs, fewer places and bookings.
    "tiny": Scale("tiny", hubs=len(data.SMALL_HUBS), tiers_lieux=60, bookings=1_200, months_back=3,
                  months_ahead=1, audit=True),
    "small": Scale("small", hubs=len(data.SMALL_HUBS), tiers_lieux=200, bookings=6_000, months_back=6,
                   months_ahead=2, audit=True),
    "national": Scale("national", hubs=360, tiers_lieux=3_500, bookings=1_000_000, months_back=34,
                      months_ahead=2, audit=False),
}


class Clock:
    """The data's calendar: laid out around `today`, its "now" today's midnight in Paris."""

    def __init__(self, scale: Scale, today: date) -> None:
        self.today = today
        self.start_day = add_months(today, -scale.months_back)
        self.end_day = add_months(today, scale.months_ahead)
        # Every day of the period, and how many of each weekday: shared by all resources.
        self.days = [self.start_day + timedelta(days=n) for n in range((self.end_day - self.start_day).days)]
        self.weekday_counts = [0] * 7
        for d in self.days:
            self.weekday_counts[d.weekday()] += 1
        self._offsets: dict[date, timedelta] = {}
        self.now = self.utc(today, 0)
        self.long_ago = self.now - timedelta(days=400)

    def utc(self, day: date, minute: int) -> datetime:
        """UTC instant of `minute` after midnight, Paris time, on `day` (daytime only)."""
        offset = self._offsets.get(day)
        if offset is None:
            # Slots are in the daytime: the noon offset is the day's, DST changes at night.
            offset = datetime(day.year, day.month, day.day, 12, tzinfo=PARIS).utcoffset()
            assert offset is not None
            self._offsets[day] = offset
        return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(minutes=minute) - offset


# --- plain in-memory records of what is being built ----------------------------------

@dataclass
class DemoPlace:
    id: int
    kind: str
    slug: str
    lat: float
    lon: float
    users: list[int] = field(default_factory=list)


@dataclass
class DemoHub:
    place: DemoPlace
    profile: str
    internal_share: float
    activity: float
    manager_id: int
    templates: list[str]
    clients: list[int] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    cum_weights: list[float] = field(default_factory=list)


@dataclass
class DemoResource:
    id: int
    hub: DemoHub
    template: data.ResourceTemplate
    capacity: int
    requires_approval: bool
    prerequisite_id: int | None
    weight: float
    closed_days: set[date] = field(default_factory=set)


@dataclass
class Commune:
    insee: str
    name: str
    lat: float
    lon: float
    departement: str
    postal_codes: tuple[str, ...] = ()


def communes() -> list[Commune]:
    result = []
    for insee in data.COMMUNES:
        found = reference_communes.commune(insee)
        assert found is not None, insee
        result.append(Commune(insee, found.name, found.lat, found.lon, found.departement, found.postal_codes))
    return result


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, 28))


def today_in_paris() -> date:
    return datetime.now(PARIS).date()
