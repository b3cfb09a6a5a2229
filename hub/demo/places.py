"""The demo's places and people: hubs (fabriques), tiers-lieux, their managers and
members, and which hubs each tiers-lieu books from."""
from __future__ import annotations

import random
from datetime import date
from typing import Any

from slugify import slugify

from hub.demo import data
from hub.demo.common import (
    ADMIN_EMAIL,
    ANCT_EMAIL,
    DEMO_DOMAIN,
    KONK_MANAGER_EMAIL,
    LEGAL_FORMS,
    LEGAL_WEIGHTS,
    MEMBER_EMAIL,
    SERVICE_RADIUS_KM,
    Clock,
    Commune,
    DemoHub,
    DemoPlace,
    Scale,
    communes,
)
from hub.demo.network import national_hub_specs, serve
from hub.demo.store import Store
from hub.geo import haversine_km
from hub.reference import region_of
from hub.rules.validation import luhn_ok
from hub.rules.finding import search_key
from models import Membership, Place, User


STREETS = ("rue de la République", "place de la Mairie", "rue Jean-Jaurès", "avenue de la Gare",
           "rue du Port", "rue Victor-Hugo", "place du Marché", "rue de l'Église", "rue des Écoles")
# Share of demo places whose identity is complete: the others show the open-data page's
# "left out" count, as a real network would.
IDENTIFIED_SHARE = 0.8


def identity(slug: str, commune: Commune, legal_form: str | None) -> dict[str, Any]:
    """A made-up address, postal code and SIRET (or RNA for an association), drawn from
    the slug so that they leave the demo's main random sequence, and its figures, as they were."""
    rng = random.Random(slug)
    # Every row of a bulk insert has the same columns.
    values: dict[str, Any] = {"address": None, "siret": None, "rna": None,
                              "postal_code": commune.postal_codes[0] if commune.postal_codes else None}
    if rng.random() > IDENTIFIED_SHARE:
        return values
    values["address"] = f"{rng.randint(1, 60)} {rng.choice(STREETS)}"
    if legal_form == "association" and rng.random() < 0.5:
        values["rna"] = f"W{rng.randint(0, 999_999_999):09d}"
    else:
        siren = _with_luhn_key(f"{rng.randint(10_000_000, 99_999_999)}")
        values["siret"] = _with_luhn_key(f"{siren}{rng.randint(1, 99):04d}")
    return values


def _with_luhn_key(digits: str) -> str:
    return next(digits + key for key in "0123456789" if luhn_ok(digits + key))


class Places:
    """Builds the places, their accounts and memberships, as `Store` rows."""

    def __init__(self, store: Store, rng: random.Random, clock: Clock, scale: Scale,
                 password_hash: str) -> None:
        self.store = store
        self.rng = rng
        self.clock = clock
        self.scale = scale
        self.password_hash = password_hash
        self.communes = communes()
        self.places: list[DemoPlace] = []
        self.hubs: list[DemoHub] = []
        self.tiers_lieux: list[DemoPlace] = []
        self.slugs: set[str] = set()
        self.names: dict[str, int] = {}
        self.emails: dict[int, str] = {}

    def place(self, place_id: int) -> DemoPlace:
        return self.places[place_id - self.places[0].id]

    # --- rows ------------------------------------------------------------------------

    def _unique_name(self, name: str) -> str:
        self.names[name] = self.names.get(name, 0) + 1
        return name if self.names[name] == 1 else f"{name} {self.names[name]}"

    def _slug(self, name: str) -> str:
        base = slugify(name, max_length=100, word_boundary=True) or "lieu"
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug

    def _add_place(self, *, name: str, kind: str, commune: Commune, lat: float, lon: float,
                   territory: str, **extra: Any) -> DemoPlace:
        name = self._unique_name(name)
        slug = self._slug(name)
        place = DemoPlace(self.store.new_id(Place), kind, slug, round(lat, 5), round(lon, 5))
        region = region_of(commune.departement)
        assert region is not None
        at = self.clock.long_ago
        self.store.add(Place, {
            "id": place.id, "slug": slug, "name": name, "kind": kind, "commune": commune.name,
            "insee": commune.insee, "departement": commune.departement, "region": region.code,
            "territory": territory, "lat": place.lat, "lon": place.lon,
            "description": extra.get("description", ""), "website": extra.get("website"),
            "legal_form": extra.get("legal_form"), "label_wave": extra.get("label_wave"),
            "subsidy_eur": extra.get("subsidy_eur"), "created_at": at, "updated_at": at,
            **identity(slug, commune, extra.get("legal_form")),
            "search_text": search_key(name, commune.name),
        })
        # As services.places.create_place writes it; the system (no actor) labels the demo.
        self.store.audit(at, None, "place.created", Place, place.id, slug=slug, kind=kind)
        self.places.append(place)
        return place

    def _add_user(self, email: str, name: str | None = None, role: str | None = None) -> int:
        user_id = self.store.new_id(User)
        if name is None:
            name = f"{self.rng.choice(data.FIRST_NAMES)} {self.rng.choice(data.LAST_NAMES)}"
        at = self.clock.long_ago
        self.store.add(User, {
            "id": user_id, "email": email, "name": name, "password_hash": self.password_hash,
            # Demo addresses receive nothing: they count as confirmed (no banner to dismiss).
            "role": role, "created_at": at, "email_verified_at": at,
        })
        # As services.accounts.create_user writes a registration: the user is the actor.
        self.store.audit(at, user_id, "user.created", User, user_id, email=email, role=role)
        self.emails[user_id] = email
        return user_id

    def _add_member(self, place: DemoPlace, user_id: int, role: str) -> None:
        membership_id = self.store.new_id(Membership)
        at = self.clock.long_ago
        self.store.add(Membership, {
            "id": membership_id, "user_id": user_id, "place_id": place.id, "role": role, "created_at": at,
        })
        self.store.audit(at, None, "membership.created", Membership, membership_id,
                         place=place.slug, email=self.emails[user_id], role=role)
        place.users.append(user_id)

    # --- the network -----------------------------------------------------------------

    def build_users(self) -> None:
        self._add_user(ADMIN_EMAIL, "Administration Maillage", "admin")
        self._add_user(ANCT_EMAIL, "Équipe ANCT", "anct")

    def build_places(self) -> None:
        rng = self.rng
        by_insee = {c.insee: c for c in self.communes}
        specs = list(data.SMALL_HUBS)
        if self.scale.hubs > len(specs):
            specs = [data.KONK_AR_LAB, data.ESCANAUX] + national_hub_specs(rng, self.communes, self.scale.hubs - 2)
        for i, spec in enumerate(specs):
            self._add_hub(spec, by_insee[spec.insee], small=i < len(data.SMALL_HUBS))
        self._build_tiers_lieux()

    def _add_hub(self, spec: data.HubSpec, commune: Commune, *, small: bool) -> None:
        rng = self.rng
        # A few km around the town centre; rural hubs sit farther out.
        spread = 0.01 if spec.territory != "rural" or small else 0.06
        lat = commune.lat + rng.uniform(-spread, spread)
        lon = commune.lon + rng.uniform(-spread, spread) * 1.4
        if spec.name:
            name = spec.name
        else:
            patterns = data.NUMERIQUE_NAME_PATTERNS if spec.kind == "fabrique_numerique" else data.HUB_NAME_PATTERNS
            name = rng.choice(patterns).format(de=of(spec.quartier or commune.name))
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
        self.hubs.append(DemoHub(place, profile, internal, rng.uniform(0.5, 1.6), manager, templates))

    def _build_tiers_lieux(self) -> None:
        rng = self.rng
        hub_points = [(h.place.lat, h.place.lon) for h in self.hubs]
        near: list[list[Commune]] = [
            [c for c in self.communes if haversine_km(lat, lon, c.lat, c.lon) <= SERVICE_RADIUS_KM - 8]
            for lat, lon in hub_points
        ]
        far = [c for c in self.communes
               if min(haversine_km(c.lat, c.lon, lat, lon) for lat, lon in hub_points) > SERVICE_RADIUS_KM + 10]
        n_far = max(3, self.scale.tiers_lieux // 15) if far else 0
        n_near = self.scale.tiers_lieux - n_far
        member_place: DemoPlace | None = None
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
        serve(rng, self.hubs, self.tiers_lieux, konk=self.hubs[0], member_place=member_place)

    def _add_tiers_lieu(self, commune: Commune, spread: float) -> DemoPlace:
        rng = self.rng
        place = self._add_place(
            name=rng.choice(data.TIERS_LIEU_NAME_PATTERNS).format(de=of(commune.name)),
            kind="tiers_lieu", commune=commune,
            lat=commune.lat + rng.uniform(-spread, spread), lon=commune.lon + rng.uniform(-spread, spread) * 1.4,
            territory=rng.choices(("qpv", "rural", "urbain"), (3, 4, 3))[0],
            description=rng.choice(data.TIERS_LIEU_DESCRIPTIONS),
            legal_form=rng.choices(LEGAL_FORMS + (None,), LEGAL_WEIGHTS + (3,))[0],
        )
        self._add_member(place, self._add_user(f"gestion.{place.slug}@{DEMO_DOMAIN}"), "manager")
        for k in range(rng.choice((0, 1, 1, 2))):
            self._add_member(place, self._add_user(f"membre{k + 1}.{place.slug}@{DEMO_DOMAIN}"), "member")
        self.tiers_lieux.append(place)
        return place


def of(name: str) -> str:
    """French 'de' + name, with elision and contraction ("du Havre", "d'Amiens")."""
    for article, contracted in (("Le ", "du "), ("Les ", "des "), ("La ", "de la "), ("L'", "de l'")):
        if name.startswith(article):
            return contracted + name[len(article):]
    if name[0].lower() in "aeiouyéèêâîôûh":
        return "d'" + name
    return "de " + name
