"""`flask import-places`: tiers-lieux from a file in the "Lieux de médiation numérique"
standard (an export of the national cartography, for instance), matched by pivot.

All or nothing, like the import of fabriques: every row is read and validated (by
`places.validate_place`, the API's own rules) before anything is written; with a single
error nothing is, and each error names its line and the file's column.
"""
from __future__ import annotations

import csv
import io
import logging
from typing import Any, Callable, Iterable, Mapping

import sqlalchemy as sa

from hub.errors import Invalid
from hub.extensions import db
from hub.reference import communes
from hub.services import audit
from hub.services.places import ImportReport, RowError, _insert_with_unique_slug, validate_place
from hub.services.opendata import schema
from models import Place

logger = logging.getLogger(__name__)

# Where the validator's fields come from in the file.
_COLUMN_OF = {
    "name": "nom", "commune": "commune", "insee": "code_insee", "departement": "code_insee",
    "postal_code": "code_postal", "address": "adresse", "lat": "latitude", "lon": "longitude",
    "siret": "pivot", "rna": "pivot", "phone": "telephone", "email": "courriels",
    "website": "site_web", "description": "presentation_detail", "territory": "code_insee",
}
# The fields an import may change in a stored tiers-lieu (its territory and kind stay).
_UPDATABLE = ("name", "commune", "insee", "departement", "region", "lat", "lon", "address",
              "postal_code", "siret", "rna", "phone", "email", "website", "description")
# INSEE's threshold of an urban unit: a new tiers-lieu of a smaller commune is rural. The
# file says nothing of territories; a manager corrects it on the place's page.
URBAN_POPULATION = 2000

Progress = Callable[[Iterable[Any], int], Iterable[Any]]


def required_columns() -> list[str]:
    return [f["name"] for f in schema()["fields"] if f.get("constraints", {}).get("required")]


def import_places(raw: bytes, *, dry_run: bool = False,
                  progress: Progress = lambda rows, total: rows) -> ImportReport:
    """Create or update tiers-lieux from `raw`, a CSV file in the standard's schema.

    A row whose pivot (SIRET or RNA) is that of a stored tiers-lieu updates it, with the
    cells it fills; any other row creates one. `progress(rows, total)` wraps the
    validation loop (the CLI's progress bar). With `dry_run` the session is untouched.
    """
    report = ImportReport()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.errors.append(RowError(0, "", f"le fichier n'est pas en UTF-8 (octet {exc.start}) : "
                                             "enregistrez-le en « CSV UTF-8 »."))
        return report
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in required_columns() if c not in columns]
    if missing:
        report.errors.append(RowError(1, "", "ce fichier n'est pas au format « Lieux de médiation "
                                             "numérique » : colonnes manquantes : " + ", ".join(missing) + "."))
        return report
    known = {f["name"] for f in schema()["fields"]}
    report.ignored_columns = [c for c in columns if c not in known]
    reader.fieldnames = columns
    rows = [(reader.line_num, row) for row in reader]

    valid: list[tuple[int, dict[str, Any], set[str]]] = []
    seen: dict[str, int] = {}
    for line, row in progress(rows, len(rows)):
        if all(not (v or "").strip() for k, v in row.items() if k is not None):
            continue
        report.rows += 1
        if row.get(None):
            report.errors.append(RowError(line, "", "plus de valeurs que de colonnes."))
            continue
        try:
            data, given = _row_to_place_data(row)
            values = validate_place(data, kinds=("tiers_lieu",))
        except Invalid as exc:
            for name, message in exc.fields.items():
                report.errors.append(RowError(line, _COLUMN_OF.get(name, name), message))
            continue
        pivot = values["siret"] or values["rna"]
        if pivot in seen:
            report.errors.append(RowError(line, "pivot", f"doublon de la ligne {seen[pivot]} (même pivot)."))
            continue
        seen[pivot] = line
        valid.append((line, values, given))

    existing = _places_by_pivot(set(seen))
    writes: list[tuple[Place | None, dict[str, Any]]] = []
    for line, values, given in valid:
        pivot = values["siret"] or values["rna"]
        matches = existing.get(pivot, [])
        if len(matches) > 1:
            report.errors.append(RowError(line, "pivot", f"{len(matches)} lieux de Maillage ont ce pivot : "
                                                         "impossible de savoir lequel mettre à jour."))
        elif matches and matches[0].kind != "tiers_lieu":
            report.errors.append(RowError(line, "pivot", f"ce pivot est celui de la fabrique « {matches[0].name} », "
                                                         "que cet import ne modifie pas."))
        elif matches:
            place = matches[0]
            if place.insee != values["insee"]:
                given |= {"lat", "lon"}  # a new commune brings its position unless the row has one
            changes = {name: values[name] for name in _UPDATABLE
                       if name in given and getattr(place, name) != values[name]}
            (report.updated if changes else report.unchanged).append(place.name)
            writes.append((place, changes))
        else:
            report.created.append(values["name"])
            writes.append((None, values))
    if report.errors or dry_run:
        return report

    for place, values in writes:
        if place is None:
            place = Place(**values)
            _insert_with_unique_slug(place)
            audit.record(None, "place.created", place, slug=place.slug, kind=place.kind, source="import-places")
        elif values:
            for name, value in values.items():
                setattr(place, name, value)
            audit.record(None, "place.updated", place, slug=place.slug, source="import-places",
                         fields=sorted(values))
    return report


def _row_to_place_data(row: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The validator's input for a row, and the place fields the row sets (for updates)."""
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    def first(name: str) -> str:  # the standard's lists are "a|b"
        return cell(name).split("|", 1)[0].strip()

    pivot = cell("pivot").replace(" ", "")
    if pivot[:1].upper() == "W":
        identifier = {"rna": pivot}
    elif pivot.isdigit() and len(pivot) == 14:
        identifier = {"siret": pivot}
    else:
        raise Invalid(fields={"siret": "Pivot invalide : ni un SIRET (14 chiffres) ni un numéro RNA "
                                       "(W suivi de 9 chiffres)." if pivot else "Ce champ est obligatoire."})
    found = _commune_of(cell("code_insee"), cell("commune"), cell("code_postal"))
    address = ", ".join(part for part in (cell("adresse"), cell("complement_adresse")) if part)
    data = {
        "kind": "tiers_lieu",
        "name": cell("nom"),
        "commune": cell("commune"),
        "insee": found.code if found else cell("code_insee"),
        "postal_code": cell("code_postal"),
        "address": address,
        "lat": cell("latitude"),
        "lon": cell("longitude"),
        "phone": cell("telephone"),
        "email": first("courriels"),
        "website": first("site_web"),
        "description": cell("presentation_detail") or cell("presentation_resume"),
        "territory": ("urbain" if found.population >= URBAN_POPULATION else "rural") if found else "",
        **identifier,
    }
    if not data["insee"]:
        raise Invalid(fields={"insee": f"Commune introuvable : aucune commune « {data['commune']} » "
                                       f"n'a le code postal {data['postal_code']} (donnez son code INSEE)."})
    given = {name for name, value in data.items() if value} | {"departement", "region", "commune"}
    if not (data["lat"] and data["lon"]):
        given -= {"lat", "lon"}
    return data, given


def _commune_of(insee: str, name: str, postal_code: str) -> communes.Commune | None:
    """The row's commune: by its INSEE code, else by its name and postal code when they
    name a single one."""
    if insee:
        return communes.commune(insee)
    if not name or not postal_code:
        return None
    key = communes.normalize(name)
    candidates = [c for c in communes.find(f"{name} {postal_code}", 5).items
                  if communes.normalize(c.name) == key and postal_code in c.postal_codes]
    return candidates[0] if len(candidates) == 1 else None


def _places_by_pivot(pivots: set[str]) -> dict[str, list[Place]]:
    if not pivots:
        return {}
    found: dict[str, list[Place]] = {}
    rows = db.session.scalars(
        sa.select(Place).where(sa.or_(Place.siret.in_(sorted(pivots)), Place.rna.in_(sorted(pivots))))
        .order_by(Place.id)
    )
    for place in rows:
        for pivot in {place.siret, place.rna} & pivots:
            found.setdefault(pivot, []).append(place)
    return found
