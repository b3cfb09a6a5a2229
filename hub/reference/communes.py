"""The current communes of the INSEE COG, and a fast search over their names and postal codes.

    from hub.reference import communes
    communes.commune("29039")            # Commune(code="29039", name="Concarneau", …)
    communes.search("saint etienne")     # [Saint-Étienne, Saint-Étienne-du-Rouvray, …]

The data (communes.csv.gz, epci.csv, built by `make reference`; see README.md) is read
on first use, once per process, behind a lock: importing this module costs nothing.

The search answers from sorted keys with bisection, so that a query costs a few
prefix ranges and never a scan of the 35,000 communes. A commune ranks by how its
name matches, best first: the whole name, then the name's start, then the name's start
with its spaces and hyphens dropped ("lhay" for L'Haÿ-les-Roses), then the start of a
later word ("ceze" for Bagnols-sur-Cèze); among equals, the larger population first.
A query of digits is an INSEE code or the start of a postal code; digits after a name
narrow it to a postal code or a département ("saint denis 93").
"""
from __future__ import annotations

import bisect
import csv
import gzip
import heapq
import io
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_DATA_DIR = Path(__file__).resolve().parent
_HIGH = "\uffff"  # sorts after every normalised key: the end of a prefix range
_WORD = re.compile(r"[a-z0-9]+")
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
# Typed abbreviations, expanded only before another word: "st" alone may still be
# the start of Stenay or Steenvoorde.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "stes": "saintes", "sts": "saints"}


@dataclass(frozen=True, slots=True)
class Commune:
    code: str  # INSEE code, e.g. "29039", "2A004", "97411"
    name: str
    departement: str
    region: str
    epci: str | None  # SIREN of its EPCI à fiscalité propre (a few islands have none)
    postal_codes: tuple[str, ...]
    population: int
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Epci:
    code: str  # SIREN
    name: str
    type: str  # CC, CA, CU, METRO, MET69


@dataclass(frozen=True, slots=True)
class Matches:
    items: list[Commune]
    total: int  # how many communes match in all, the `items` and those left out


def normalize(text: str) -> str:
    """Lower case, no accents, words of letters and digits separated by one space."""
    text = text.casefold().replace("œ", "oe").replace("æ", "ae")
    # Decomposed, the accents are separate marks that the ASCII encoding drops.
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(_WORD.findall(text))


def _query_key(text: str) -> str:
    words = normalize(text).split(" ")
    expanded = [_ABBREVIATIONS.get(word, word) for word in words[:-1]]
    return " ".join([*expanded, words[-1]]).strip()


class _PrefixIndex:
    """Sorted (key, rank) pairs: the ranks whose key starts with a prefix, by bisection."""

    def __init__(self, pairs: Iterable[tuple[str, int]]) -> None:
        ordered = sorted(pairs)
        self._keys = [key for key, _ in ordered]
        self._ranks = [rank for _, rank in ordered]

    def exact(self, key: str) -> list[int]:
        lo = bisect.bisect_left(self._keys, key)
        return self._ranks[lo:bisect.bisect_right(self._keys, key, lo)]

    def prefixed(self, prefix: str) -> list[int]:
        lo = bisect.bisect_left(self._keys, prefix)
        return self._ranks[lo:bisect.bisect_left(self._keys, prefix + _HIGH, lo)]


class _Index:
    def __init__(self, communes: list[Commune], epcis: dict[str, Epci]) -> None:
        # A commune's rank is its place by population: the smaller, the more populous.
        self.ranked = sorted(communes, key=lambda c: (-c.population, c.code))
        self.by_code = {c.code: c for c in communes}
        self.rank_of = {c.code: rank for rank, c in enumerate(self.ranked)}
        self.epcis = epcis
        names, compact, words, postal = [], [], [], []
        for rank, commune in enumerate(self.ranked):
            key = normalize(commune.name)
            names.append((key, rank))
            if " " in key:
                compact.append((key.replace(" ", ""), rank))
            parts = key.split(" ")
            words.extend((" ".join(parts[i:]), rank) for i in range(1, len(parts)))
            postal.extend((code, rank) for code in commune.postal_codes)
        self.names = _PrefixIndex(names)
        self.compact = _PrefixIndex(compact)
        self.words = _PrefixIndex(words)
        self.postal = _PrefixIndex(postal)

    def find(self, text: str, limit: int) -> Matches:
        key = _query_key(text)
        if not key:
            return Matches([], 0)
        words = key.split(" ")
        numbers = [word for word in words if word.isdigit()]
        if numbers and len(numbers) < len(words):
            # "concarneau 29900", "saint denis 93", or a picked "Concarneau (29900)"
            # typed again: the name, narrowed to a postal code or a département.
            name = " ".join(word for word in words if not word.isdigit())
            tiers = [[rank for rank in tier if self._within(self.ranked[rank], numbers)]
                     for tier in self._name_tiers(name)]
        elif numbers or _INSEE.match(key.upper()):
            key = key.replace(" ", "")
            by_insee = self.rank_of.get(key.upper())
            tiers = [[] if by_insee is None else [by_insee], self.postal.prefixed(key)]
        else:
            tiers = self._name_tiers(key)
        seen: set[int] = set()
        items: list[Commune] = []
        for tier in tiers:
            fresh = set(tier) - seen
            seen |= fresh
            if len(items) < limit:
                items.extend(self.ranked[rank] for rank in heapq.nsmallest(limit - len(items), fresh))
        return Matches(items, len(seen))

    def _name_tiers(self, key: str) -> list[list[int]]:
        squeezed = key.replace(" ", "")
        tiers = [
            self.names.exact(key) + self.compact.exact(squeezed),
            self.names.prefixed(key),
            self.compact.prefixed(squeezed),
            self.words.prefixed(key),
        ]
        if squeezed != key:  # "l hay" typed for L'Haÿ-les-Roses, squeezed "lhay…"
            tiers.insert(3, self.names.prefixed(squeezed))
        return tiers

    @staticmethod
    def _within(commune: Commune, numbers: list[str]) -> bool:
        return all(
            number == commune.departement or any(code.startswith(number) for code in commune.postal_codes)
            for number in numbers
        )


def _load() -> _Index:
    with (_DATA_DIR / "epci.csv").open(encoding="utf-8", newline="") as fh:
        epcis = {row["code"]: Epci(row["code"], row["name"], row["type"]) for row in csv.DictReader(fh)}
    with gzip.open(_DATA_DIR / "communes.csv.gz", "rb") as raw:
        rows = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
        communes = [
            Commune(
                code=row["insee"],
                name=row["name"],
                departement=row["departement"],
                region=row["region"],
                epci=row["epci"] or None,
                postal_codes=tuple(row["postal_codes"].split()),
                population=int(row["population"]),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
            for row in rows
        ]
    return _Index(communes, epcis)


_index: _Index | None = None
_lock = threading.Lock()


def _get() -> _Index:
    global _index
    index = _index
    if index is None:
        with _lock:
            if _index is None:
                _index = _load()
            index = _index
    return index


def commune(insee: str) -> Commune | None:
    """The current commune with this INSEE code ("2a004" and " 29039 " work), or None."""
    if not isinstance(insee, str):
        return None
    return _get().by_code.get(insee.strip().upper())


def epci(siren: str) -> Epci | None:
    """The EPCI à fiscalité propre with this SIREN, or None."""
    return _get().epcis.get(siren) if isinstance(siren, str) else None


def find(text: str, limit: int = 10) -> Matches:
    """The best `limit` communes for a typed text, and how many match in all."""
    if not isinstance(text, str) or limit <= 0:
        return Matches([], 0)
    return _get().find(text, limit)


def search(text: str, limit: int = 10) -> list[Commune]:
    """The best `limit` communes for a typed text (see the module's docstring)."""
    return find(text, limit).items


def every_commune() -> list[Commune]:
    """All current communes, in INSEE code order."""
    return sorted(_get().by_code.values(), key=lambda c: c.code)


__all__ = ["Commune", "Epci", "Matches", "commune", "epci", "every_commune", "find", "normalize", "search"]
