"""The current communes (hub.reference.communes), their vendored files, and GET /communes."""
from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path

import pytest

from hub.geo import haversine_km
from hub.reference import DEPARTEMENTS, communes
from hub.reference.communes import Commune, commune, find, search

REFERENCE = Path(communes.__file__).resolve().parent

METRO_BOX = (41.3, 51.1, -5.2, 9.6)
OVERSEAS_BOXES = {
    "971": (15.8, 16.55, -61.85, -61.0),
    "972": (14.38, 14.89, -61.24, -60.80),
    "973": (2.1, 5.8, -54.6, -51.6),
    "974": (-21.4, -20.85, 55.2, 55.85),
    "976": (-13.01, -12.63, 45.01, 45.31),
}


def names(results: list[Commune]) -> list[str]:
    return [c.name for c in results]


# --- lookups -----------------------------------------------------------------


def test_commune_by_insee_code():
    concarneau = commune("29039")
    assert concarneau == Commune(
        code="29039", name="Concarneau", departement="29", region="53", epci=concarneau.epci,
        postal_codes=("29900",), population=concarneau.population,
        lat=concarneau.lat, lon=concarneau.lon,
    )
    assert communes.epci(concarneau.epci).name == "CA Concarneau Cornouaille Agglomération"
    assert 15_000 < concarneau.population < 30_000
    assert abs(concarneau.lat - 47.87) < 0.05 and abs(concarneau.lon - -3.92) < 0.05


@pytest.mark.parametrize("code, name", [
    (" 2a004 ", "Ajaccio"), ("75056", "Paris"), ("69123", "Lyon"), ("13055", "Marseille"),
    ("97411", "Saint-Denis"), ("97611", "Mamoudzou"), ("97302", "Cayenne"),
])
def test_commune_codes_as_people_type_them(code, name):
    assert commune(code).name == name


def test_paris_lyon_marseille_are_single_communes_with_all_their_postal_codes():
    paris = commune("75056")
    assert paris.population > 2_000_000
    assert {"75001", "75016", "75116", "75020"} <= set(paris.postal_codes)
    assert commune("75112") is None  # an arrondissement municipal, not a commune


@pytest.mark.parametrize("code", ["", "99999", "2903", "97501", "98735", "abcde", None, 29039])
def test_unknown_or_invalid_codes_give_none(code):
    assert commune(code) is None


# --- search ------------------------------------------------------------------


def test_prefix_finds_concarneau_first():
    assert search("conc")[0].name == "Concarneau"


def test_bagnols_finds_bagnols_sur_ceze():
    assert "Bagnols-sur-Cèze" in names(search("bagnols"))
    assert search("bagnols sur")[0].name == "Bagnols-sur-Cèze"


def test_a_later_word_finds_the_commune():
    assert "Bagnols-sur-Cèze" in names(search("ceze"))


def test_postal_code_finds_concarneau():
    assert names(search("29900")) == ["Concarneau"]
    assert "Concarneau" in names(search("2990", limit=50))


def test_insee_code_finds_the_commune_first():
    assert search("2A004")[0].name == "Ajaccio"
    assert search("97411")[0].name == "Saint-Denis"


@pytest.mark.parametrize("typed", ["saint etienne", "Saint-Étienne", "SAINT ÉTIENNE", "st etienne",
                                   "st-étienne", "  saint   etienne "])
def test_accents_case_hyphens_and_st_do_not_matter(typed):
    first = search(typed)[0]
    assert (first.name, first.code) == ("Saint-Étienne", "42218")


def test_a_last_word_st_is_not_expanded():
    # Still typing: "ste" may be Stenay as well as "Sainte-…".
    assert "Stenay" in names(search("ste", limit=20))


def test_apostrophes_and_ligatures():
    assert search("lhay")[0].name == "L'Haÿ-les-Roses"
    assert search("l'hay")[0].name == "L'Haÿ-les-Roses"
    assert search("oeuf")[0].name == "Œuf-en-Ternois"


def test_larger_population_first_among_equal_matches():
    results = search("saint denis", limit=3)
    assert [(c.name, c.departement) for c in results[:2]] == [("Saint-Denis", "974"), ("Saint-Denis", "93")]
    populations = [c.population for c in search("sa", limit=20)]
    assert populations == sorted(populations, reverse=True)


def test_exact_name_before_longer_names():
    assert search("paris")[0].name == "Paris"
    assert search("lyon")[0].name == "Lyon"
    # Bagnols (Rhône, 765 inhabitants) is a whole-name match: before Bagnols-sur-Cèze.
    assert names(search("bagnols"))[:2] == ["Bagnols", "Bagnols"]


@pytest.mark.parametrize("typed, code", [
    ("concarneau 29900", "29039"), ("Concarneau (29900)", "29039"), ("saint denis 93", "93066"),
    ("saint denis 974", "97411"), ("bagnols 30", "30028"), ("29 conc", "29039"),
])
def test_digits_beside_a_name_narrow_it_to_a_postal_code_or_departement(typed, code):
    assert search(typed)[0].code == code


def test_a_name_in_another_departement_is_not_found():
    assert search("concarneau 75") == []


def test_limit_and_total():
    matches = find("saint", limit=5)
    assert len(matches.items) == 5
    assert matches.total > 4000  # every Saint-… and Sainte-…
    assert len(search("saint", limit=20)) == 20


@pytest.mark.parametrize("typed", ["", "   ", "-'", "zzzzqx", None])
def test_nothing_to_find(typed):
    assert search(typed) == []


def test_concurrent_first_use_loads_once(monkeypatch):
    monkeypatch.setattr(communes, "_index", None)
    loads = []
    real_load = communes._load
    monkeypatch.setattr(communes, "_load", lambda: loads.append(1) or real_load())
    barrier = threading.Barrier(8)
    found = []

    def lookup():
        barrier.wait()
        found.append(commune("29039"))

    threads = [threading.Thread(target=lookup) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1
    assert [c.name for c in found] == ["Concarneau"] * 8


# --- the vendored files ------------------------------------------------------


def test_about_35000_current_communes():
    every = communes.every_commune()
    assert 34_850 <= len(every) <= 35_100
    assert len({c.code for c in every}) == len(every)
    sources = json.loads((REFERENCE / "sources.json").read_text(encoding="utf-8"))
    assert sources["communes"] == len(every)


def test_every_departement_has_communes_and_each_commune_a_known_departement_and_region():
    by_departement: dict[str, int] = {}
    for c in communes.every_commune():
        assert c.departement in DEPARTEMENTS, c
        assert c.region == DEPARTEMENTS[c.departement].region_code, c
        by_departement[c.departement] = by_departement.get(c.departement, 0) + 1
    assert set(by_departement) == set(DEPARTEMENTS)
    assert by_departement["976"] == 17 and by_departement["75"] == 1


def test_every_commune_has_a_position_in_france():
    for c in communes.every_commune():
        lat_min, lat_max, lon_min, lon_max = OVERSEAS_BOXES.get(c.departement, METRO_BOX)
        assert lat_min <= c.lat <= lat_max and lon_min <= c.lon <= lon_max, c


@pytest.mark.parametrize("code, lat, lon", [
    ("29232", 47.9960, -4.1020),  # Quimper
    ("29044", 48.2178, -4.1667),  # Dinéault: the source's town hall has a flipped sign
    ("75056", 48.8566, 2.3522),  # Paris: no town hall in the source, its outline's centre
    ("69123", 45.7640, 4.8357),  # Lyon
    ("13055", 43.2965, 5.3698),  # Marseille
    ("2A004", 41.9192, 8.7386),  # Ajaccio
    ("97105", 15.9985, -61.7261),  # Basse-Terre
    ("97302", 4.9224, -52.3135),  # Cayenne
    ("97411", -20.8789, 55.4481),  # Saint-Denis (La Réunion)
    ("97611", -12.7806, 45.2278),  # Mamoudzou
])
def test_known_communes_stand_where_they_are(code, lat, lon):
    c = commune(code)
    assert haversine_km(c.lat, c.lon, lat, lon) < 3, c


def test_every_commune_has_postal_codes_and_an_epci_that_exists():
    for c in communes.every_commune():
        assert c.postal_codes and all(len(p) == 5 and p.isdigit() for p in c.postal_codes), c
        assert c.epci is None or communes.epci(c.epci) is not None, c


def _inside(lon: float, lat: float, geometry: dict) -> bool:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    inside = False
    for polygon in polygons:
        for ring in polygon:  # even-odd: a hole flips it back
            for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
                if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                    inside = not inside
    return inside


def test_outline_of_france_has_every_departement_around_its_centre():
    outline = json.loads((REFERENCE / "france.geojson").read_text(encoding="utf-8"))
    features = {f["properties"]["code"]: f for f in outline["features"]}
    assert set(features) == set(DEPARTEMENTS)
    for code, dep in DEPARTEMENTS.items():
        assert features[code]["properties"]["name"] == dep.name
        assert _inside(dep.lon, dep.lat, features[code]["geometry"]), dep
    assert _inside(2.35, 48.86, features["75"]["geometry"])
    assert not _inside(2.35, 48.86, features["92"]["geometry"])


def test_vendored_files_stay_small():
    for path in REFERENCE.iterdir():
        assert path.stat().st_size < 4_000_000, path
    assert (REFERENCE / "france.geojson").stat().st_size < 1_000_000
    with gzip.open(REFERENCE / "communes.csv.gz", "rt", encoding="utf-8") as fh:
        assert fh.readline().strip() == "insee,name,departement,region,epci,postal_codes,population,lat,lon"


# --- GET /communes -----------------------------------------------------------


def test_endpoint_needs_no_login_and_returns_the_picker_fields(client):
    response = client.get("/communes?q=conc")
    assert response.status_code == 200
    body = response.get_json()
    first = body["items"][0]
    assert first == {
        "insee": "29039", "name": "Concarneau", "departement": "29", "departement_name": "Finistère",
        "postal_codes": ["29900"], "lat": first["lat"], "lon": first["lon"],
    }
    assert isinstance(first["lat"], float) and isinstance(first["lon"], float)
    assert body["total"] >= len(body["items"])
    assert response.cache_control.public and response.cache_control.max_age == 3600


def test_endpoint_finds_by_postal_code_and_accents(client):
    assert client.get("/communes?q=29900").get_json()["items"][0]["name"] == "Concarneau"
    items = client.get("/communes", query_string={"q": "saint étienne"}).get_json()["items"]
    assert items[0]["insee"] == "42218"


def test_endpoint_returns_at_most_20(client):
    body = client.get("/communes?q=sa").get_json()
    assert len(body["items"]) == 20
    assert body["total"] > 20


@pytest.mark.parametrize("q", ["", "c", " c ", None])
def test_endpoint_short_query_is_an_empty_list(client, q):
    response = client.get("/communes", query_string={} if q is None else {"q": q})
    assert response.status_code == 200
    assert response.get_json() == {"items": [], "total": 0}


def test_endpoint_refuses_a_query_over_100_characters(client):
    response = client.get("/communes", query_string={"q": "a" * 101})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert "100" in error["message"] and "q" in error["fields"]
    assert client.get("/communes", query_string={"q": "a" * 100}).status_code == 200
