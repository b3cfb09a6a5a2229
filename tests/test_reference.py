"""Tests for hub.reference (départements, régions) and hub.geo."""

import dataclasses

import pytest

from hub.geo import EARTH_RADIUS_KM, haversine_km
from hub.reference import (
    DEPARTEMENTS,
    REGIONS,
    Departement,
    Region,
    departement,
    departement_from_insee,
    region_of,
)

OVERSEAS = {"971", "972", "973", "974", "976"}

# Approximate bounding boxes (lat_min, lat_max, lon_min, lon_max).
METRO_BOX = (41.3, 51.1, -5.2, 9.6)
OVERSEAS_BOXES = {
    "971": (15.8, 16.55, -61.85, -61.0),  # Guadeloupe
    "972": (14.38, 14.89, -61.24, -60.80),  # Martinique
    "973": (2.1, 5.8, -54.6, -51.6),  # Guyane
    "974": (-21.4, -20.85, 55.2, 55.85),  # La Réunion
    "976": (-13.01, -12.63, 45.01, 45.31),  # Mayotte
}


# --- counts and integrity ----------------------------------------------------


def test_counts():
    assert len(DEPARTEMENTS) == 101
    assert len(REGIONS) == 18


def test_expected_codes():
    metro = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
    assert set(DEPARTEMENTS) == metro | OVERSEAS
    assert set(REGIONS) == {
        "01", "02", "03", "04", "06",
        "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94",
    }


def test_dict_keys_match_codes():
    for code, dep in DEPARTEMENTS.items():
        assert isinstance(dep, Departement)
        assert dep.code == code
    for code, reg in REGIONS.items():
        assert isinstance(reg, Region)
        assert reg.code == code


def test_every_departement_region_exists():
    for dep in DEPARTEMENTS.values():
        assert dep.region_code in REGIONS, dep


def test_every_region_has_departements():
    used = {dep.region_code for dep in DEPARTEMENTS.values()}
    assert used == set(REGIONS)


def test_region_sizes():
    sizes = {}
    for dep in DEPARTEMENTS.values():
        sizes[dep.region_code] = sizes.get(dep.region_code, 0) + 1
    assert sizes["11"] == 8  # Île-de-France
    assert sizes["76"] == 13  # Occitanie
    assert sizes["75"] == 12  # Nouvelle-Aquitaine
    assert sizes["84"] == 12  # Auvergne-Rhône-Alpes
    assert sizes["53"] == 4  # Bretagne
    assert sizes["94"] == 2  # Corse
    for code in ("01", "02", "03", "04", "06"):
        assert sizes[code] == 1


def test_names_with_accents():
    assert DEPARTEMENTS["22"].name == "Côtes-d'Armor"
    assert DEPARTEMENTS["29"].name == "Finistère"
    assert DEPARTEMENTS["974"].name == "La Réunion"
    assert DEPARTEMENTS["90"].name == "Territoire de Belfort"
    assert REGIONS["11"].name == "Île-de-France"
    assert REGIONS["93"].name == "Provence-Alpes-Côte d'Azur"
    assert REGIONS["27"].name == "Bourgogne-Franche-Comté"


def test_dataclasses_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEPARTEMENTS["29"].name = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        REGIONS["53"].name = "x"  # type: ignore[misc]


def test_corsica():
    assert region_of("2A") == REGIONS["94"]
    assert region_of("2B") == REGIONS["94"]
    assert REGIONS["94"].name == "Corse"


# --- lookups -----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("29", "29"),
        (" 29 ", "29"),
        ("2a", "2A"),
        ("2B", "2B"),
        (" 2b\n", "2B"),
        ("1", "01"),
        ("01", "01"),
        ("9", "09"),
        ("971", "971"),
        ("976", "976"),
    ],
)
def test_departement_normalisation(raw, expected):
    dep = departement(raw)
    assert dep is not None
    assert dep.code == expected


@pytest.mark.parametrize(
    "raw", ["", "  ", "0", "00", "20", "96", "975", "977", "2C", "A", "290", "abc"]
)
def test_unknown_departement(raw):
    assert departement(raw) is None
    assert region_of(raw) is None


def test_region_of():
    assert region_of("29").name == "Bretagne"
    assert region_of("34").name == "Occitanie"
    assert region_of(" 75").name == "Île-de-France"
    assert region_of("1").name == "Auvergne-Rhône-Alpes"
    assert region_of("974").name == "La Réunion"
    assert region_of("976").name == "Mayotte"
    assert region_of("973").code == "03"


@pytest.mark.parametrize(
    "insee, expected",
    [
        ("29039", "29"),  # Quimper
        ("01053", "01"),  # Bourg-en-Bresse
        ("2A004", "2A"),  # Ajaccio
        ("2b033", "2B"),  # Bastia, lower-case
        ("75056", "75"),  # Paris
        ("75112", "75"),  # Paris 12e arrondissement
        ("97105", "971"),  # Basse-Terre
        ("97209", "972"),  # Fort-de-France
        ("97302", "973"),  # Cayenne
        ("97411", "974"),  # Saint-Denis
        ("97611", "976"),  # Mamoudzou
        (" 29039 ", "29"),
    ],
)
def test_departement_from_insee(insee, expected):
    assert departement_from_insee(insee) == expected


@pytest.mark.parametrize(
    "insee",
    [
        "",
        "2903",  # too short
        "290390",  # too long
        "20004",  # pre-1976 Corsican code
        "2C004",
        "96001",
        "00001",
        "97501",  # Saint-Pierre-et-Miquelon: not a département
        "97701",  # Saint-Barthélemy
        "98735",  # Polynésie française
        "29A39",
        "abcde",
    ],
)
def test_departement_from_insee_invalid(insee):
    assert departement_from_insee(insee) is None


# --- centroids ---------------------------------------------------------------


def test_centroids_in_bounding_boxes():
    for code, dep in DEPARTEMENTS.items():
        lat_min, lat_max, lon_min, lon_max = OVERSEAS_BOXES.get(code, METRO_BOX)
        assert lat_min <= dep.lat <= lat_max, dep
        assert lon_min <= dep.lon <= lon_max, dep


def test_centroids_are_distinct():
    points = {(dep.lat, dep.lon) for dep in DEPARTEMENTS.values()}
    assert len(points) == len(DEPARTEMENTS)


# (département, prefecture name, lat, lon, tolerance in km)
PREFECTURES = [
    ("29", "Quimper", 47.9960, -4.1020, 60),
    ("30", "Nîmes", 43.8367, 4.3601, 60),
    ("35", "Rennes", 48.1173, -1.6778, 60),
    ("69", "Lyon", 45.7640, 4.8357, 60),
    ("67", "Strasbourg", 48.5734, 7.7521, 60),
    ("21", "Dijon", 47.3220, 5.0415, 60),
    ("63", "Clermont-Ferrand", 45.7772, 3.0870, 60),
    ("31", "Toulouse", 43.6047, 1.4442, 60),
    ("13", "Marseille", 43.2965, 5.3698, 60),
    ("06", "Nice", 43.7102, 7.2620, 60),
    ("59", "Lille", 50.6292, 3.0573, 60),
    ("2A", "Ajaccio", 41.9192, 8.7386, 60),
    ("2B", "Bastia", 42.6977, 9.4508, 60),
    ("75", "Paris", 48.8566, 2.3522, 5),
    ("92", "Nanterre", 48.8924, 2.2071, 15),
    ("93", "Bobigny", 48.9077, 2.4397, 15),
    ("94", "Créteil", 48.7904, 2.4556, 15),
    ("972", "Fort-de-France", 14.6161, -61.0588, 30),
    ("971", "Basse-Terre", 15.9985, -61.7261, 40),
    ("974", "Saint-Denis", -20.8789, 55.4481, 40),
    ("976", "Mamoudzou", -12.7806, 45.2278, 20),
    ("33", "Bordeaux", 44.8378, -0.5792, 100),  # large département
    ("973", "Cayenne", 4.9224, -52.3135, 250),  # very large département
]


@pytest.mark.parametrize("code, city, lat, lon, tolerance", PREFECTURES)
def test_centroid_near_prefecture(code, city, lat, lon, tolerance):
    dep = DEPARTEMENTS[code]
    distance = haversine_km(dep.lat, dep.lon, lat, lon)
    assert distance <= tolerance, f"{dep.name}: {distance:.0f} km from {city}"


def test_neighbours_are_close():
    # Adjacent départements: centroids well under 200 km apart.
    for a, b in [("29", "22"), ("29", "56"), ("30", "34"), ("2A", "2B"),
                 ("75", "92"), ("59", "62"), ("67", "68"), ("33", "40")]:
        da, db = DEPARTEMENTS[a], DEPARTEMENTS[b]
        assert 0 < haversine_km(da.lat, da.lon, db.lat, db.lon) < 200, (a, b)


# --- haversine ---------------------------------------------------------------


def test_earth_radius():
    assert EARTH_RADIUS_KM == 6371.0088


def test_paris_marseille():
    assert haversine_km(48.8566, 2.3522, 43.2965, 5.3698) == pytest.approx(661, abs=5)


def test_distance_to_self_is_zero():
    assert haversine_km(48.8566, 2.3522, 48.8566, 2.3522) == 0.0
    assert haversine_km(-21.13, 55.53, -21.13, 55.53) == 0.0


def test_symmetry():
    a = (47.996, -4.102)
    b = (43.8367, 4.3601)
    assert haversine_km(*a, *b) == pytest.approx(haversine_km(*b, *a))


def test_known_distances():
    # One degree of latitude along a meridian is about 111.2 km.
    assert haversine_km(45.0, 3.0, 46.0, 3.0) == pytest.approx(111.2, abs=0.2)
    # Antipodes: half the circumference.
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(
        3.141592653589793 * EARTH_RADIUS_KM
    )
    # Lille to Perpignan, roughly 880 km as the crow flies.
    assert haversine_km(50.6292, 3.0573, 42.6887, 2.8948) == pytest.approx(883, abs=10)
