"""Finding resources (GET /resources, second part of the contract): accent-blind `q`,
`near` and `within_km`, `free_from` / `free_to`, `next_free`, and their 422s."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from hub.geo import haversine_km
from hub.timeutil import PARIS, parse_datetime

API = "/api/v1/resources"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.fixture
def net(make):  # type: ignore[no-untyped-def]
    """A tiers-lieu in Quimper and fabriques at Brest (52 km), Rennes (181 km), Lyon (723 km)."""
    user = make.user(email="membre@tl.example")
    quimper = make.place(slug="tl-quimper", name="Tiers-lieu de Quimper", commune="Quimper",
                         lat=47.9960, lon=-4.1024, members=[user])
    brest = make.fabrique(slug="fab-brest", name="Fabrique de Brest", commune="Brest", lat=48.3904, lon=-4.4861)
    rennes = make.fabrique(slug="fab-rennes", name="Fabrique de Rennes", departement="35", commune="Rennes",
                           lat=48.1173, lon=-1.6778)
    lyon = make.fabrique(slug="fab-lyon", name="Fabrique de Lyon", departement="69", commune="Lyon",
                         lat=45.7640, lon=4.8357)
    return {
        "headers": make.api_headers(user), "quimper": quimper,
        "laser": make.resource(brest, name="Découpeuse laser", description="Bois et acrylique"),
        "room": make.resource(rennes, name="Salle de réunion", kind="space", capacity=2),
        "printer": make.resource(lyon, name="Imprimante 3D", description="Filament PLA, pièces élancées"),
    }


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_json()
    return [item["name"] for item in response.get_json()["items"]]


# ---------------------------------------------------------------- q

@pytest.mark.parametrize("q", ["decoupeuse", "DÉCOUPEUSE", "Découpeuse", "decoupeuse LASER", "découp"])
def test_q_ignores_case_and_accents(client, net, q):
    assert names(client.get(API, query_string={"q": q}, headers=net["headers"])) == ["Découpeuse laser"]


def test_q_finds_accented_words_in_descriptions_and_place_names(client, net, make):
    make.resource(make.fabrique(slug="fab-ile", name="Fabrique de l'Île-Tudy", commune="Île-Tudy"),
                  name="Tour à bois")
    assert names(client.get(API, query_string={"q": "elancees"}, headers=net["headers"])) == ["Imprimante 3D"]
    assert names(client.get(API, query_string={"q": "ile tudy"}, headers=net["headers"])) == ["Tour à bois"]


def test_q_follows_a_renamed_resource(client, net, make):
    manager = make.user(email="gestion@brest.example")
    from models import Membership

    make.db.session.add(Membership(user=manager, place_id=net["laser"].place_id, role="manager"))
    make.db.session.commit()
    response = client.patch(f"{API}/{net['laser'].id}", headers=make.api_headers(manager),
                            json={"name": "Fraiseuse numérique"})
    assert response.status_code == 200
    assert names(client.get(API, query_string={"q": "numerique"}, headers=net["headers"])) == ["Fraiseuse numérique"]
    assert names(client.get(API, query_string={"q": "decoupeuse"}, headers=net["headers"])) == []


# ---------------------------------------------------------------- near, within_km

def test_near_orders_by_great_circle_distance_and_gives_it(client, net):
    body = client.get(API, query_string={"near": "tl-quimper"}, headers=net["headers"]).get_json()
    assert [i["name"] for i in body["items"]] == ["Découpeuse laser", "Salle de réunion", "Imprimante 3D"]
    distances = [i["distance_km"] for i in body["items"]]
    # By the spherical law of cosines (another formula than the server's haversine).
    assert distances == pytest.approx([52.3, 180.7, 722.7], abs=0.11)
    assert body["total"] == 3


def test_without_near_items_have_no_distance(client, net):
    body = client.get(API, headers=net["headers"]).get_json()
    assert all("distance_km" not in item for item in body["items"])
    assert [i["name"] for i in body["items"]] == ["Découpeuse laser", "Imprimante 3D", "Salle de réunion"]


def test_within_km_keeps_the_resources_that_near(client, net):
    response = client.get(API, query_string={"near": "tl-quimper", "within_km": "200"}, headers=net["headers"])
    assert names(response) == ["Découpeuse laser", "Salle de réunion"]
    assert response.get_json()["total"] == 2


def test_distances_are_hub_geos_haversine_to_a_tenth_of_a_km_overseas_too(client, net, make):
    # Computed by the database: the same figures as the Python haversine the network uses.
    reunion = make.fabrique(slug="fab-reunion", name="Fabrique de Saint-Denis", departement="974",
                            commune="Saint-Denis", lat=-20.8823, lon=55.4504)
    next_door = make.fabrique(slug="fab-quimper", name="Fabrique de Quimper", commune="Quimper",
                              lat=net["quimper"].lat, lon=net["quimper"].lon)
    make.resource(reunion, name="Atelier de réparation")
    make.resource(next_door, name="Espace numérique")
    body = client.get(API, query_string={"near": "tl-quimper"}, headers=net["headers"]).get_json()
    hosts = {p.slug: p for p in (reunion, next_door, net["laser"].place, net["room"].place, net["printer"].place)}
    origin = net["quimper"]
    assert [i["name"] for i in body["items"]] == [
        "Espace numérique", "Découpeuse laser", "Salle de réunion", "Imprimante 3D", "Atelier de réparation"]
    for found in body["items"]:
        host = hosts[found["place"]]
        assert found["distance_km"] == pytest.approx(
            round(haversine_km(origin.lat, origin.lon, host.lat, host.lon), 1), abs=1e-9)
    assert body["items"][0]["distance_km"] == 0


def test_within_km_compares_the_distance_as_shown(client, net):
    laser = client.get(API, query_string={"near": "tl-quimper"}, headers=net["headers"]).get_json()["items"][0]
    shown = laser["distance_km"]
    kept = client.get(API, query_string={"near": "tl-quimper", "within_km": shown}, headers=net["headers"])
    dropped = client.get(API, query_string={"near": "tl-quimper", "within_km": round(shown - 0.1, 1)},
                         headers=net["headers"])
    assert names(kept) == ["Découpeuse laser"] and names(dropped) == []


def test_near_pages_in_distance_order(client, net):
    second = client.get(API, query_string={"near": "tl-quimper", "per_page": 1, "page": 2}, headers=net["headers"])
    assert names(second) == ["Salle de réunion"]
    assert second.get_json()["total"] == 3


# ---------------------------------------------------------------- free_from / free_to

@pytest.fixture
def period():  # type: ignore[no-untyped-def]
    day = datetime.now(PARIS).date() + timedelta(days=3)
    return paris(day, 10), paris(day, 12)


def free_names(client, net, start, end) -> list[str]:  # type: ignore[no-untyped-def]
    return names(client.get(API, query_string={"free_from": iso(start), "free_to": iso(end)},
                            headers=net["headers"]))


def test_a_booking_that_takes_the_capacity_hides_the_resource(client, net, make, period):
    start, end = period
    make.booking(net["laser"], net["quimper"], start=start + timedelta(minutes=30), end_at=start + timedelta(hours=1))
    make.booking(net["room"], net["quimper"], start=start, end_at=end, quantity=1)
    assert free_names(client, net, start, end) == ["Imprimante 3D", "Salle de réunion"]
    make.booking(net["room"], net["quimper"], start=start + timedelta(hours=1), end_at=end, quantity=1)
    assert free_names(client, net, start, end) == ["Imprimante 3D"]


def test_a_shared_space_stays_free_while_its_bookings_never_take_every_unit_at_once(client, net, make, period):
    # Its two units are booked in sum, one after the other: one stays free throughout.
    start, end = period
    room, quimper = net["room"], net["quimper"]
    make.booking(room, quimper, start=start, end_at=start + timedelta(hours=1), quantity=1)
    make.booking(room, quimper, start=start + timedelta(hours=1), end_at=end, quantity=1)
    make.booking(room, quimper, start=start, end_at=end, quantity=1, status="cancelled")
    assert "Salle de réunion" in free_names(client, net, start, end)
    make.booking(room, quimper, start=start + timedelta(minutes=30), end_at=start + timedelta(minutes=45), quantity=1)
    assert "Salle de réunion" not in free_names(client, net, start, end)


def test_cancelled_bookings_and_bookings_outside_the_period_leave_it_free(client, net, make, period):
    start, end = period
    make.booking(net["laser"], net["quimper"], start=start, end_at=end, status="cancelled")
    make.booking(net["laser"], net["quimper"], start=end, end_at=end + timedelta(hours=2))
    make.booking(net["laser"], net["quimper"], start=start - timedelta(hours=1), end_at=start, status="pending")
    assert "Découpeuse laser" in free_names(client, net, start, end)


def test_a_pending_booking_holds_the_capacity(client, net, make, period):
    start, end = period
    make.booking(net["laser"], net["quimper"], start=start, end_at=end, status="pending")
    assert "Découpeuse laser" not in free_names(client, net, start, end)


def test_closures_and_closed_hours_count(client, net, make, period):
    start, end = period
    make.closure(net["printer"], start=start - timedelta(days=1), end_at=start + timedelta(minutes=1))
    day = WEEKDAYS[start.weekday()]
    net["room"].opening_hours = {day: [["09:00", "11:00"]]}
    make.db.session.commit()
    # Open 10:00-11:00 of the period, and free then: free over the period's open time.
    assert free_names(client, net, start, end) == ["Découpeuse laser", "Salle de réunion"]
    net["room"].opening_hours = {day: [["14:00", "18:00"]]}
    make.db.session.commit()
    assert free_names(client, net, start, end) == ["Découpeuse laser"]


def test_a_training_is_free_with_a_session_inside_the_period_that_has_a_seat(client, net, make, period):
    start, end = period
    training = make.resource(net["laser"].place, name="Formation laser", kind="training", capacity=4)
    full = make.resource(net["laser"].place, name="Formation soudure", kind="training", capacity=4)
    make.session(training, start_at=start, end_at=end, seats_taken=3)
    make.session(full, start_at=start, end_at=end, seats=4, seats_taken=4)
    make.session(full, start_at=start + timedelta(hours=1), end_at=end + timedelta(hours=1))
    assert [n for n in free_names(client, net, start, end) if n.startswith("Formation")] == ["Formation laser"]


@pytest.mark.parametrize("began_hours_before", [2, 12, 14, 25, 24 * 20])
def test_a_long_booking_that_began_before_the_period_holds_it(client, net, make, period, began_hours_before):
    # Bookings are read by when they start: one that began days before still counts.
    start, end = period
    make.booking(net["printer"], net["quimper"], start=start - timedelta(hours=began_hours_before),
                 end_at=start + timedelta(minutes=15))
    make.booking(net["room"], net["quimper"], start=start - timedelta(hours=began_hours_before),
                 end_at=end + timedelta(days=2), quantity=2)
    assert free_names(client, net, start, end) == ["Découpeuse laser"]


def test_an_overdue_loan_holds_its_kit_until_it_comes_back(client, net, make, period):
    # Out since a week, due yesterday, not returned: its unit is held, as booking would find.
    start, end = period
    kits = make.resource(net["laser"].place, name="Kit robotique", kind="loan", capacity=1)
    spare = make.resource(net["laser"].place, name="Kit électronique", kind="loan", capacity=2)
    now = datetime.now(timezone.utc)
    late = make.booking(kits, net["quimper"], start=now - timedelta(days=7), end_at=now - timedelta(days=1), status="out")
    make.booking(spare, net["quimper"], start=now - timedelta(days=7), end_at=now - timedelta(days=1), status="out")
    found = free_names(client, net, start, end)
    assert "Kit robotique" not in found and "Kit électronique" in found
    assert item(client, net, kits)["next_free"] is None
    assert item(client, net, spare)["next_free"] is not None
    late.status = "returned"
    make.db.session.commit()
    assert "Kit robotique" in free_names(client, net, start, end)
    assert item(client, net, kits)["next_free"] is not None


def test_a_long_booking_that_ended_before_the_period_leaves_it_free(client, net, make, period):
    start, end = period
    make.booking(net["printer"], net["quimper"], start=start - timedelta(days=10), end_at=start)
    assert "Imprimante 3D" in free_names(client, net, start, end)


def test_a_cancelled_session_offers_no_seat(client, net, make, period):
    start, end = period
    training = make.resource(net["laser"].place, name="Formation laser", kind="training", capacity=4)
    make.session(training, start_at=start, end_at=end, seats_taken=0, cancelled_at=datetime.now(timezone.utc))
    assert "Formation laser" not in free_names(client, net, start, end)
    assert item(client, net, training)["next_free"] is None


def test_near_and_free_count_and_page_only_the_free_ones(client, net, make, period):
    start, end = period
    make.booking(net["laser"], net["quimper"], start=start, end_at=end)
    args = {"near": "tl-quimper", "free_from": iso(start), "free_to": iso(end), "per_page": 1}
    first = client.get(API, query_string={**args, "page": 1}, headers=net["headers"])
    second = client.get(API, query_string={**args, "page": 2}, headers=net["headers"])
    past = client.get(API, query_string={**args, "page": 3}, headers=net["headers"])
    assert names(first) == ["Salle de réunion"] and names(second) == ["Imprimante 3D"] and names(past) == []
    assert {r.get_json()["total"] for r in (first, second, past)} == {2}
    assert second.get_json()["items"][0]["distance_km"] == pytest.approx(722.7, abs=0.11)


# ---------------------------------------------------------------- next_free

def item(client, net, resource) -> dict:  # type: ignore[no-untyped-def]
    body = client.get(API, query_string={"q": resource.name}, headers=net["headers"]).get_json()
    return next(i for i in body["items"] if i["id"] == resource.id)


@pytest.fixture
def open_day():  # type: ignore[no-untyped-def]
    """A day two days ahead: the laser opens that weekday only, 09:00-12:00."""
    return datetime.now(PARIS).date() + timedelta(days=2)


def set_hours(make, resource, day: date) -> None:  # type: ignore[no-untyped-def]
    resource.opening_hours = {WEEKDAYS[day.weekday()]: [["09:00", "12:00"]]}
    make.db.session.commit()


def test_next_free_is_the_next_opening_when_nothing_is_booked(client, net, make, open_day):
    set_hours(make, net["laser"], open_day)
    assert parse_datetime(item(client, net, net["laser"])["next_free"]) == paris(open_day, 9)


def test_next_free_follows_a_booking_when_an_hour_is_left(client, net, make, open_day):
    set_hours(make, net["laser"], open_day)
    make.booking(net["laser"], net["quimper"], start=paris(open_day, 9), end_at=paris(open_day, 10, 30))
    found = item(client, net, net["laser"])["next_free"]
    assert parse_datetime(found) == paris(open_day, 10, 30)
    assert found.endswith(("+01:00", "+02:00"))


def test_next_free_skips_an_opening_with_less_than_an_hour_left(client, net, make, open_day):
    set_hours(make, net["laser"], open_day)
    make.booking(net["laser"], net["quimper"], start=paris(open_day, 9, 30), end_at=paris(open_day, 11, 15))
    week_later = open_day + timedelta(days=7)
    assert parse_datetime(item(client, net, net["laser"])["next_free"]) == paris(week_later, 9)


def test_next_free_of_a_shared_space_needs_one_unit_free(client, net, make, open_day):
    set_hours(make, net["room"], open_day)
    make.booking(net["room"], net["quimper"], start=paris(open_day, 9), end_at=paris(open_day, 12), quantity=1)
    assert parse_datetime(item(client, net, net["room"])["next_free"]) == paris(open_day, 9)
    make.booking(net["room"], net["quimper"], start=paris(open_day, 9), end_at=paris(open_day, 11), quantity=1)
    assert parse_datetime(item(client, net, net["room"])["next_free"]) == paris(open_day, 11)


def test_next_free_skips_a_closure(client, net, make, open_day):
    set_hours(make, net["laser"], open_day)
    make.closure(net["laser"], start=paris(open_day, 0), end_at=paris(open_day + timedelta(days=1), 0))
    assert parse_datetime(item(client, net, net["laser"])["next_free"]) == paris(open_day + timedelta(days=7), 9)


def test_next_free_of_a_training_is_its_next_session_with_a_seat(client, net, make, open_day):
    training = make.resource(net["laser"].place, name="Formation laser", kind="training", capacity=2)
    assert item(client, net, training)["next_free"] is None
    make.session(training, start_at=paris(open_day, 9), end_at=paris(open_day, 12), seats_taken=2)
    make.session(training, start_at=paris(open_day, 14), end_at=paris(open_day, 17), seats_taken=1)
    assert parse_datetime(item(client, net, training)["next_free"]) == paris(open_day, 14)


def test_next_free_is_null_when_four_weeks_are_taken(client, net, make):
    now = datetime.now(timezone.utc)
    make.booking(net["printer"], net["quimper"], start=now - timedelta(hours=1), end_at=now + timedelta(weeks=5))
    assert item(client, net, net["printer"])["next_free"] is None


# ---------------------------------------------------------------- bad values

@pytest.mark.parametrize("args, field", [
    ({"within_km": "50"}, "within_km"),
    ({"near": "nowhere"}, "near"),
    ({"near": "tl-quimper", "within_km": "loin"}, "within_km"),
    ({"near": "tl-quimper", "within_km": "-3"}, "within_km"),
    ({"free_from": "2030-01-01T10:00"}, "free_to"),
    ({"free_to": "2030-01-01T10:00"}, "free_from"),
    ({"free_from": "2030-01-01T10:00", "free_to": "2030-01-01T09:00"}, "free_to"),
    ({"free_from": "2030-01-01T10:00", "free_to": "2030-03-01T09:00"}, "free_to"),
    ({"free_from": "demain", "free_to": "2030-01-01T09:00"}, "free_from"),
])
def test_bad_search_values_are_422_with_the_field(client, net, args, field):
    response = client.get(API, query_string=args, headers=net["headers"])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
