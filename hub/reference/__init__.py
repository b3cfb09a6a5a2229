"""Reference data: French départements and régions.

Both CSV files next to this module are loaded once, at import time. Codes,
names and région membership come from INSEE's Code officiel géographique; a
département's position is its centre of population, computed from the communes
(see README.md in this directory). The communes are in `hub.reference.communes`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

_DATA_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Departement:
    code: str
    name: str
    region_code: str
    lat: float
    lon: float


def _read_csv(filename: str) -> list[dict[str, str]]:
    with (_DATA_DIR / filename).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _load_regions() -> dict[str, Region]:
    return {
        row["code"]: Region(code=row["code"], name=row["name"])
        for row in _read_csv("regions.csv")
    }


def _load_departements() -> dict[str, Departement]:
    return {
        row["code"]: Departement(
            code=row["code"],
            name=row["name"],
            region_code=row["region_code"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
        )
        for row in _read_csv("departements.csv")
    }


REGIONS: dict[str, Region] = _load_regions()
DEPARTEMENTS: dict[str, Departement] = _load_departements()


def normalize_departement_code(code: str) -> str:
    """Canonical form of a département code (no validity check).

    Strips whitespace, upper-cases ("2a" -> "2A") and left-pads a single
    digit ("1" -> "01").
    """
    code = (code or "").strip().upper()
    if len(code) == 1 and code.isdigit():
        code = "0" + code
    return code


def departement(code: str) -> Departement | None:
    """The département with this code, or None if unknown."""
    if not isinstance(code, str):
        return None
    return DEPARTEMENTS.get(normalize_departement_code(code))


def region_of(departement_code: str) -> Region | None:
    """The région a département belongs to, or None if the code is unknown."""
    dep = departement(departement_code)
    if dep is None:
        return None
    return REGIONS.get(dep.region_code)


def departement_from_insee(insee: str) -> str | None:
    """Département code of an INSEE commune code, or None if invalid.

    "29039" -> "29", "2A004" -> "2A", "97105" -> "971", "97611" -> "976".
    Overseas communes (97x) use a three-character département code; only
    départements present in DEPARTEMENTS are returned (so collectivités
    such as Saint-Pierre-et-Miquelon, 975, give None).
    """
    if not isinstance(insee, str):
        return None
    insee = insee.strip().upper()
    if len(insee) != 5:
        return None
    if insee.startswith("97"):
        dep_code, rest = insee[:3], insee[3:]
    else:
        dep_code, rest = insee[:2], insee[2:]
    if not rest.isdigit() or not (dep_code.isdigit() or dep_code in ("2A", "2B")):
        return None
    if dep_code not in DEPARTEMENTS:
        return None
    return dep_code


__all__ = [
    "DEPARTEMENTS",
    "REGIONS",
    "Departement",
    "Region",
    "departement",
    "departement_from_insee",
    "normalize_departement_code",
    "region_of",
]
