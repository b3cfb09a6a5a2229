"""Places: creation, labelling, membership, the CSV import of labelled fabriques,
and the network's home-page figures."""
from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping
from urllib.parse import urlparse

import sqlalchemy as sa
import sqlalchemy.orm as so
from slugify import slugify

from hub.errors import Duplicate, Forbidden, Invalid, InvalidState, NotFound
from hub.extensions import db
from hub.reference import DEPARTEMENTS, REGIONS, communes, departement
from hub.rules import labels, permissions, validation
from hub.rules.permissions import Actor
from hub.services import audit
from hub.rules.validation import Fields
from hub.timeutil import to_iso
from models import (
    HUB_KINDS,
    LEGAL_FORMS,
    MEMBER_ROLES,
    PLACE_KINDS,
    TERRITORIES,
    Booking,
    Membership,
    Place,
    Resource,
    User,
)

logger = logging.getLogger(__name__)

# Slugs that are page addresses under /lieux/ and so cannot name a place.
RESERVED_SLUGS = frozenset({"labelliser"})
MAX_SUBSIDY_EUR = 1_000_000_000
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- Reading a place -----------------------------------------------------------------

def validate_place(data: Mapping[str, Any], *, require_insee: bool = False,
                   kinds: tuple[str, ...] = PLACE_KINDS) -> dict[str, Any]:
    """The column values of a place from untrusted input, or Invalid with every problem.

    The one validator for the API, the pages and the CSV imports. `insee` must name a
    current commune of the COG (hub.reference.communes); its commune, département,
    région, postal code (when it has one only) and position then derive from it, and a
    `departement` or `postal_code` given as well must agree. Without `insee`, commune,
    département and position are required. `region` always derives from the département.
    """
    f = Fields(data)
    insee = f.text("insee", required=require_insee, max_len=5)
    found = None
    if insee is not None:
        found = communes.commune(insee)
        if found is None:
            f.error("insee", "Code INSEE inconnu : ce n'est pas celui d'une commune actuelle "
                             "(5 caractères, par exemple 29039 pour Concarneau).")
    # With a known commune, its name and position come from the reference: they may be
    # left out (a given position wins: a pin moved on the map).
    values: dict[str, Any] = {
        "name": f.text("name", required=True, max_len=200),
        "kind": f.choice("kind", kinds, required=True),
        "commune": f.text("commune", required=insee is None, max_len=120),
        "territory": f.choice("territory", TERRITORIES, required=True),
        "lat": f.number("lat", required=insee is None, minimum=-90, maximum=90),
        "lon": f.number("lon", required=insee is None, minimum=-180, maximum=180),
        "description": f.text("description", max_len=5000, default="", multiline=True),
        "legal_form": f.choice("legal_form", LEGAL_FORMS),
    }
    values["insee"] = found.code if found else insee

    dep_code = f.text("departement", required=insee is None, max_len=3)
    dep = None
    if dep_code is not None:
        dep = departement(dep_code)
        if dep is None:
            f.error("departement", "Département inconnu.")
        elif found is not None and found.departement != dep.code:
            message = f"{found.name} ({found.code}) est dans le département {found.departement}, pas dans le {dep.code}."
            f.error("departement", message)
            f.error("insee", message)
    elif found is not None:
        dep = DEPARTEMENTS[found.departement]
    if found is not None:
        values["commune"] = found.name
        if values["lat"] is None and values["lon"] is None and not {"lat", "lon"} & set(f.errors):
            values["lat"], values["lon"] = found.lat, found.lon
        elif values["lat"] is None or values["lon"] is None:
            for name in ("lat", "lon"):
                f.error(name, "Donnez la latitude et la longitude, ou aucune des deux (la position de la commune).")
    values["departement"] = dep.code if dep else None
    values["region"] = dep.region_code if dep else None
    values.update(validation.place_identity(f, found.name if found else None,
                                            found.postal_codes if found else None))

    website = f.text("website", max_len=300)
    if website is not None:
        parsed = urlparse(website)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            f.error("website", "Adresse web invalide (elle doit commencer par https://).")
            website = None
    values["website"] = website

    is_hub = values["kind"] in HUB_KINDS
    wave = f.text("label_wave", max_len=10)
    values["label_wave"] = None
    if wave is not None:
        if not is_hub:
            f.error("label_wave", "Seule une fabrique labellisée a une vague de labellisation.")
        else:
            try:
                if not DATE_RE.match(wave):
                    raise ValueError(wave)
                values["label_wave"] = date.fromisoformat(wave)
            except ValueError:
                f.error("label_wave", "Date invalide (format AAAA-MM-JJ attendu).")
    subsidy = f.integer("subsidy_eur", minimum=0, maximum=MAX_SUBSIDY_EUR)
    if subsidy is not None and not is_hub:
        f.error("subsidy_eur", "Seule une fabrique labellisée reçoit une subvention de l'État.")
        subsidy = None
    values["subsidy_eur"] = subsidy
    f.check()
    return values


def create_place(data: Mapping[str, Any], actor: User | None) -> Place:
    """A new place; a tiers-lieu's creator becomes its manager.

    Raises Forbidden when a user who is neither admin nor ANCT asks for a fabrique,
    Invalid for bad fields. `actor` None is the system (CLI import).
    """
    if not permissions.may_create_place(None if actor is None else actor_of(actor), data.get("kind")):
        raise Forbidden("Seuls l'ANCT et les administrateurs peuvent labelliser une fabrique.")
    values = validate_place(data)
    place = Place(**values)
    _insert_with_unique_slug(place)
    if actor is not None and place.kind == "tiers_lieu":
        db.session.add(Membership(user_id=actor.id, place_id=place.id, role="manager"))
    audit.record(actor, "place.created", place, slug=place.slug, kind=place.kind)
    return place


# What a PATCH may change; the kind is set at creation, the label fields by admin and ANCT.
EDITABLE = ("name", "commune", "insee", "departement", "territory", "lat", "lon", "description",
            "website", "legal_form", "address", "postal_code", "siret", "rna", "email", "phone")
LABEL_FIELDS = ("label_wave", "subsidy_eur")


def patch_place(place: Place, data: Mapping[str, Any], actor: User) -> Place:
    """Change some fields of a place (the others keep their values; null clears one).

    The merged place goes through `validate_place` as a whole, so that a new INSEE code
    brings its commune, département, région and, unless the body moves it, its position.
    Forbidden unless the actor manages the place or is admin or ANCT; the label fields
    are for admin and ANCT only.
    """
    who = actor_of(actor)
    if not permissions.may_edit_place(who, place.id):
        raise Forbidden("Seuls les gestionnaires du lieu, l'ANCT et les administrateurs peuvent le modifier.")
    if any(name in data for name in LABEL_FIELDS) and not permissions.may_label(who):
        raise Forbidden("Seuls l'ANCT et les administrateurs modifient la labellisation d'une fabrique.")
    if "kind" in data and data["kind"] != place.kind:
        raise Invalid(fields={"kind": "Le type d'un lieu ne se change pas."})
    merged: dict[str, Any] = {name: getattr(place, name) for name in EDITABLE + LABEL_FIELDS}
    merged["kind"] = place.kind
    merged["label_wave"] = place.label_wave.isoformat() if place.label_wave else None
    if "insee" in data:
        for name in ("commune", "departement", "postal_code"):
            merged.pop(name)
        if "lat" not in data and "lon" not in data:
            merged.pop("lat")
            merged.pop("lon")
    merged.update({name: data[name] for name in EDITABLE + LABEL_FIELDS if name in data})
    values = validate_place(merged)
    changes = {name: value for name, value in values.items() if getattr(place, name) != value}
    for name, value in changes.items():
        setattr(place, name, value)
    if changes:
        db.session.flush()
        audit.record(actor, "place.updated", place, slug=place.slug, fields=sorted(changes))
    return place


def unique_slug(name: str) -> str:
    base = slugify(name, max_length=100, word_boundary=True) or "lieu"
    taken = set(
        db.session.scalars(
            sa.select(Place.slug).where(sa.or_(Place.slug == base, Place.slug.like(f"{base}-%")))
        )
    )
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _insert_with_unique_slug(place: Place) -> None:
    # Two places of the same name created at once may pick the same slug; the UNIQUE
    # constraint stops the second, which then takes the next free one.
    for _ in range(5):
        place.slug = unique_slug(place.name)
        try:
            with db.session.begin_nested():
                db.session.add(place)
            return
        except sa.exc.IntegrityError:
            logger.info("slug %s taken concurrently, retrying", place.slug)
    raise Duplicate("Impossible de créer ce lieu pour l'instant : réessayez.")


def get_place(slug: str) -> Place:
    place = db.session.scalar(sa.select(Place).where(Place.slug == slug))
    if place is None:
        raise NotFound("Ce lieu n'existe pas.")
    return place


def places_query(args: Mapping[str, Any]) -> sa.Select:
    """Places filtered by `kind`, `departement`, `territory` (Invalid for unknown values)."""
    f = Fields(args)
    kind = f.choice("kind", PLACE_KINDS)
    territory = f.choice("territory", TERRITORIES)
    dep_code = f.text("departement", max_len=3)
    dep = departement(dep_code) if dep_code else None
    if dep_code and dep is None:
        f.error("departement", "Département inconnu.")
    f.check("Filtre invalide.")
    query = sa.select(Place).order_by(Place.name, Place.id)
    if kind:
        query = query.where(Place.kind == kind)
    if territory:
        query = query.where(Place.territory == territory)
    if dep:
        query = query.where(Place.departement == dep.code)
    return query


def place_dict(place: Place) -> dict[str, Any]:
    dep = DEPARTEMENTS.get(place.departement)
    region = REGIONS.get(place.region)
    return {
        "slug": place.slug,
        "name": place.name,
        "kind": place.kind,
        "commune": place.commune,
        "insee": place.insee,
        "departement": place.departement,
        "departement_name": dep.name if dep else None,
        "region": place.region,
        "region_name": region.name if region else None,
        "territory": place.territory,
        "lat": place.lat,
        "lon": place.lon,
        "description": place.description or "",
        "website": place.website,
        "address": place.address,
        "postal_code": place.postal_code,
        "siret": place.siret,
        "rna": place.rna,
        "email": place.email,
        "phone": place.phone,
        "legal_form": place.legal_form,
        "label_wave": place.label_wave.isoformat() if place.label_wave else None,
        "subsidy_eur": place.subsidy_eur,
        "created_at": to_iso(place.created_at),
        "updated_at": to_iso(place.updated_at),
    }


def place_resources(place: Place) -> list[Resource]:
    """The resources a place offers now (not archived), by name."""
    return list(
        db.session.scalars(
            sa.select(Resource)
            .where(Resource.place_id == place.id, Resource.archived_at.is_(None))
            .order_by(Resource.name, Resource.id)
        )
    )


# --- Members ---------------------------------------------------------------------------

def add_member(place: Place, data: Mapping[str, Any], actor: User) -> Membership:
    """Add a user (by email) to a place as manager or member, or change their role.

    Forbidden unless the actor is admin, ANCT or a manager of the place; Invalid for an
    unknown email; Duplicate when the user already has that very role; InvalidState
    when it would leave the place without a manager.
    """
    if not permissions.may_manage_members(actor_of(actor), place.id):
        raise Forbidden("Seuls les gestionnaires du lieu, l'ANCT et les administrateurs peuvent ajouter des membres.")
    f = Fields(data)
    email = f.email("email")
    role = f.choice("role", MEMBER_ROLES, required=True)
    f.check()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        raise Invalid(fields={"email": "Aucun compte n'existe avec cette adresse : la personne doit d'abord s'inscrire."})
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == user.id, Membership.place_id == place.id)
    )
    if membership is not None:
        if membership.role == role:
            raise Duplicate(f"{user.name} est déjà {labels.MEMBER_ROLE[role].lower()} de ce lieu.",
                            fields={"email": "Cette personne a déjà ce rôle dans ce lieu."})
        if membership.role == "manager" and _manager_count(place) == 1:
            raise InvalidState("Le lieu doit garder au moins un gestionnaire.")
        previous = membership.role
        membership.role = role
        audit.record(actor, "membership.role_changed", membership, place=place.slug,
                     email=user.email, role=role, previous=previous)
        return membership
    try:
        with db.session.begin_nested():
            membership = Membership(user_id=user.id, place_id=place.id, role=role)
            db.session.add(membership)
    except sa.exc.IntegrityError:
        raise Duplicate("Cette personne vient d'être ajoutée à ce lieu.",
                        fields={"email": "Cette personne est déjà dans ce lieu."}) from None
    audit.record(actor, "membership.created", membership, place=place.slug,
                 email=user.email, role=role)
    return membership


def _manager_count(place: Place) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(Membership.place_id == place.id, Membership.role == "manager")
    ) or 0


def membership_dict(membership: Membership) -> dict[str, Any]:
    user = membership.user
    return {
        "place": membership.place.slug,
        "user": {"id": user.id, "email": user.email, "name": user.name},
        "role": membership.role,
    }


def members_of(place: Place) -> list[Membership]:
    """A place's members, managers first, by name."""
    return list(
        db.session.scalars(
            sa.select(Membership)
            .join(User, Membership.user_id == User.id)
            .options(so.contains_eager(Membership.user))
            .where(Membership.place_id == place.id)
            .order_by(Membership.role, User.name, User.id)
        )
    )


def memberships_of(user: User) -> list[Membership]:
    """The user's memberships, by place name."""
    return list(
        db.session.scalars(
            sa.select(Membership)
            .join(Place, Membership.place_id == Place.id)
            .options(so.contains_eager(Membership.place))
            .where(Membership.user_id == user.id)
            .order_by(Place.name, Place.id)
        )
    )


# --- Home page -------------------------------------------------------------------------

def network_overview() -> dict[str, Any]:
    counts = dict(db.session.execute(sa.select(Place.kind, sa.func.count()).group_by(Place.kind)).all())
    resources = db.session.scalar(
        sa.select(sa.func.count()).select_from(Resource).where(Resource.archived_at.is_(None))
    )
    return {
        "fabriques": counts.get("fabrique", 0),
        "fabriques_numeriques": counts.get("fabrique_numerique", 0),
        "tiers_lieux": counts.get("tiers_lieu", 0),
        "resources": resources or 0,
    }


def fabriques_by_departement() -> list[dict[str, Any]]:
    """`[{code, name, region_name, fabriques: [Place]}]` by département code."""
    groups: dict[str, list[Place]] = {}
    rows = db.session.scalars(
        sa.select(Place).where(Place.kind.in_(HUB_KINDS)).order_by(Place.departement, Place.name)
    )
    for place in rows:
        groups.setdefault(place.departement, []).append(place)
    result = []
    for code, places in groups.items():
        dep = DEPARTEMENTS.get(code)
        region = REGIONS.get(dep.region_code) if dep else None
        result.append({
            "code": code,
            "name": dep.name if dep else code,
            "region_name": region.name if region else "",
            "fabriques": places,
        })
    return result


# --- Who acts ----------------------------------------------------------------------------

def actor_of(user: User) -> Actor:
    """The user as hub.rules.permissions reads them: global role and every place role,
    in one query."""
    rows = db.session.execute(
        sa.select(Membership.place_id, Membership.role).where(Membership.user_id == user.id)
    ).all()
    return Actor(user_id=user.id, role=user.role, places={place_id: role for place_id, role in rows})


def pending_requests_count(place_ids: list[int]) -> int:
    if not place_ids:
        return 0
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Booking)
        .join(Resource, Booking.resource_id == Resource.id)
        .where(Resource.place_id.in_(place_ids), Booking.status == "pending")
    ) or 0


def member_places(user: User) -> list[Place]:
    """The places a user belongs to, in either role, by name."""
    return list(
        db.session.scalars(
            sa.select(Place).join(Membership).where(Membership.user_id == user.id).order_by(Place.name)
        )
    )


# --- CSV import of labelled fabriques ------------------------------------------------------

IMPORT_REQUIRED = ("insee", "commune", "name", "kind", "wave", "territory", "lat", "lon")
IMPORT_OPTIONAL = ("legal_form", "subsidy_eur", "website", "description")
# Where the validator's field names differ from the file's columns.
_FIELD_TO_COLUMN = {"label_wave": "wave", "departement": "insee"}
# Columns compared to decide whether a re-imported row changes a stored place.
_UPDATABLE = ("kind", "commune", "departement", "region", "territory", "lat", "lon",
              "label_wave", "legal_form", "subsidy_eur", "website", "description")


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" if self.line else "fichier"
        return f"{where}, colonne « {self.column} » : {self.message}" if self.column else f"{where} : {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def import_fabriques(raw: bytes, *, dry_run: bool = False) -> ImportReport:
    """Load labelled fabriques from CSV (columns in docs/import-fabriques.md).

    All or nothing: every row is validated first; with any error nothing is written
    and the report lists each one (line, column, message). A place with the same name
    and INSEE code is updated, not duplicated; empty optional cells leave its stored
    values as they are. With `dry_run` the session is left untouched.
    """
    report = ImportReport()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.errors.append(RowError(0, "", f"le fichier n'est pas en UTF-8 (octet {exc.start})."))
        return report
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in IMPORT_REQUIRED if c not in columns]
    if missing:
        report.errors.append(RowError(1, "", "colonnes manquantes : " + ", ".join(missing) + "."))
        return report
    report.ignored_columns = [c for c in columns if c not in IMPORT_REQUIRED + IMPORT_OPTIONAL]
    reader.fieldnames = columns

    valid: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[str, str], int] = {}
    for row in reader:
        line = reader.line_num
        if all(not (v or "").strip() for k, v in row.items() if k is not None):
            continue  # blank line
        report.rows += 1
        if row.get(None):
            report.errors.append(RowError(line, "", "plus de valeurs que de colonnes."))
            continue
        data = _row_to_place_data(row)
        try:
            values = validate_place(data, require_insee=True, kinds=HUB_KINDS)
        except Invalid as exc:
            for name, message in exc.fields.items():
                report.errors.append(RowError(line, _FIELD_TO_COLUMN.get(name, name), message))
            continue
        key = (values["name"], values["insee"])
        if key in seen:
            report.errors.append(RowError(line, "name", f"doublon de la ligne {seen[key]} (même nom, même code INSEE)."))
            continue
        seen[key] = line
        valid.append((line, values))
    if report.errors:
        return report

    existing = _places_by_name_and_insee({key[1] for key in seen})
    for _line, values in valid:
        place = existing.get((values["name"], values["insee"]))
        if place is None:
            report.created.append(values["name"])
            if not dry_run:
                place = Place(**values)
                _insert_with_unique_slug(place)
                audit.record(None, "place.created", place, slug=place.slug, kind=place.kind, source="import")
            continue
        changes = {
            name: values[name]
            for name in _UPDATABLE
            if values[name] not in (None, "") and getattr(place, name) != values[name]
        }
        if not changes:
            report.unchanged.append(place.name)
            continue
        report.updated.append(place.name)
        if not dry_run:
            for name, value in changes.items():
                setattr(place, name, value)
            audit.record(None, "place.updated", place, slug=place.slug, source="import",
                         fields=sorted(changes))
    return report


def _row_to_place_data(row: Mapping[str, Any]) -> dict[str, Any]:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    data = {name: cell(name) for name in IMPORT_REQUIRED + IMPORT_OPTIONAL}
    data["label_wave"] = data.pop("wave")
    for name in ("kind", "territory", "legal_form"):
        data[name] = data[name].lower()
    return data


def _places_by_name_and_insee(insee_codes: set[str]) -> dict[tuple[str, str | None], Place]:
    if not insee_codes:
        return {}
    rows = db.session.scalars(sa.select(Place).where(Place.insee.in_(sorted(insee_codes))).order_by(Place.id))
    found: dict[tuple[str, str | None], Place] = {}
    for place in rows:
        found.setdefault((place.name, place.insee), place)
    return found
