"""The catalogue page: near the member's place, région and day filters, the next free
slot on every card, the list / map switch's data, numbered pages that keep the filters."""
from __future__ import annotations

import json
import re
from html import unescape
from datetime import date, datetime, time, timedelta

import pytest

from hub.timeutil import PARIS
from hub.web.views.catalogue import moment_text, page_links

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def net(make, auth):  # type: ignore[no-untyped-def]
    member = make.user(email="membre@tl.example")
    quimper = make.place(slug="tl-quimper", name="Tiers-lieu de Quimper", lat=47.996, lon=-4.1024, members=[member])
    lyon_tl = make.place(slug="tl-lyon", name="Tiers-lieu du Rhône", departement="69", commune="Lyon",
                         lat=45.75, lon=4.85, members=[member])
    brest = make.fabrique(slug="fab-brest", name="Fabrique de Brest", commune="Brest", lat=48.3904, lon=-4.4861)
    lyon = make.fabrique(slug="fab-lyon", name="Fabrique de Lyon", departement="69", commune="Lyon",
                         lat=45.764, lon=4.8357)
    resources = {
        "zlaser": make.resource(brest, name="Zèbre laser"),
        "atelier": make.resource(lyon, name="Atelier bois"),
    }
    auth.login("membre@tl.example")
    return {"quimper": quimper, "lyon_tl": lyon_tl, "brest": brest, "lyon": lyon, **resources}


def order(html: str) -> list[str]:
    return re.findall(r'<h2 class="fr-card__title"><a [^>]*>([^<]+)</a>', html)


def test_a_member_sees_the_nearest_resources_first(client, net):
    html = client.get("/ressources").get_data(as_text=True)
    # Their first place (by name) is Quimper: Brest before Lyon, though "Zèbre" sorts last.
    assert order(html) == ["Zèbre laser", "Atelier bois"]
    assert "les plus proches de Tiers-lieu du Rhône" not in html
    assert "Tiers-lieu de Quimper" in html and "De Tiers-lieu de Quimper" not in html
    assert "À 52 km de Tiers-lieu de Quimper" in html


def test_the_place_selector_changes_the_origin_or_drops_it(client, net):
    assert order(client.get("/ressources?pres=tl-lyon").get_data(as_text=True)) == ["Atelier bois", "Zèbre laser"]
    html = client.get("/ressources?pres=").get_data(as_text=True)
    assert order(html) == ["Atelier bois", "Zèbre laser"]
    assert "data-distance" not in html
    # Someone else's place is no origin.
    assert "data-distance" not in client.get("/ressources?pres=fab-brest").get_data(as_text=True)


def test_a_visitor_gets_the_alphabetical_catalogue(client, net, auth):
    auth.logout()
    assert order(client.get("/ressources").get_data(as_text=True)) == ["Atelier bois", "Zèbre laser"]


def test_the_region_filter_uses_french_names(client, net):
    html = client.get("/ressources?region=53").get_data(as_text=True)
    assert order(html) == ["Zèbre laser"]
    assert '<option value="53" selected>Bretagne</option>' in html
    assert "Auvergne-Rhône-Alpes" in html


def test_search_is_accent_blind_on_the_page(client, net):
    assert order(client.get("/ressources?q=ZEBRE").get_data(as_text=True)) == ["Zèbre laser"]


def test_the_day_filter_keeps_what_is_free_that_day(client, net, make):
    day = datetime.now(PARIS).date() + timedelta(days=3)
    make.booking(net["zlaser"], net["quimper"], start=paris(day, 0), end_at=paris(day + timedelta(days=1), 0))
    html = client.get(f"/ressources?jour={day.isoformat()}").get_data(as_text=True)
    assert order(html) == ["Atelier bois"]
    assert f'value="{day.isoformat()}"' in html
    other = client.get(f"/ressources?jour={(day + timedelta(days=1)).isoformat()}").get_data(as_text=True)
    assert order(other) == ["Zèbre laser", "Atelier bois"]


@pytest.mark.parametrize("value, message", [
    ("31/12/2030", "Date invalide"),
    ("2001-01-01", "Choisissez aujourd'hui ou un jour à venir."),
])
def test_a_bad_day_is_explained_and_ignored(client, net, value, message):
    response = client.get(f"/ressources?jour={value}")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert message in html and 'aria-invalid="true"' in html
    assert len(order(html)) == 2


def test_every_card_says_when_the_resource_is_next_free(client, net, make):
    day = datetime.now(PARIS).date() + timedelta(days=2)
    net["zlaser"].opening_hours = {WEEKDAYS[day.weekday()]: [["14:00", "18:00"]]}
    make.db.session.commit()
    training = make.resource(net["brest"], name="Formation laser", kind="training", capacity=3)
    make.session(training, start_at=paris(day, 9, 30), end_at=paris(day, 12))
    html = client.get("/ressources").get_data(as_text=True)
    assert f"Prochain créneau libre : {moment_text(paris(day, 14))}" in html
    assert f"Prochaine session avec une place libre : {moment_text(paris(day, 9, 30))}" in html
    assert moment_text(paris(day, 14)).endswith(" à 14 h")
    assert moment_text(paris(day, 9, 30)).endswith(" à 9 h 30")


def test_moment_text_is_french():
    assert moment_text(paris(date(2030, 12, 3), 14), today=date(2030, 1, 1)) == "mardi 3 décembre à 14 h"
    assert moment_text(paris(date(2031, 1, 1), 9, 5), today=date(2030, 1, 1)) == "mercredi 1er janvier 2031 à 9 h 05"


def test_the_map_data_holds_the_pages_places_and_the_origin(client, net):
    html = client.get("/ressources").get_data(as_text=True)
    raw = re.search(r"data-map='([^']*)'", html).group(1)
    data = json.loads(unescape(raw))
    assert {p["name"] for p in data["places"]} == {"Fabrique de Brest", "Fabrique de Lyon"}
    assert data["origin"]["name"] == "Tiers-lieu de Quimper"
    assert 'id="catalogue-results"' in html and 'id="catalogue-map-section"' in html


def test_page_links_number_every_page_near_the_current_one():
    assert page_links(1, 1) == [1]
    assert page_links(5, 9) == [1, None, 3, 4, 5, 6, 7, None, 9]
    assert page_links(2, 4) == [1, 2, 3, 4]


def test_pages_are_numbered_with_first_and_last_and_keep_the_filters(client, net, make):
    for n in range(45):
        make.resource(net["lyon"], name=f"Machine {n:02d}")
    html = client.get("/ressources?q=machine&type=machine&page=2&vue=carte").get_data(as_text=True)
    assert "45 ressources" in html
    links = set(re.findall(r'href="(/ressources\?[^"]+)"', html.replace("&amp;", "&")))
    for number in (1, 3):
        assert any(f"page={number}" in link and "q=machine" in link and "type=machine" in link
                   and "vue=carte" in link and "pres=tl-quimper" in link for link in links), links
    assert 'aria-current="page" title="Page 2 sur 3"' in html
    assert "Première page" in html and "Dernière page" in html
    # Past the last page: the last one.
    assert 'aria-current="page" title="Page 3 sur 3"' in client.get("/ressources?q=machine&page=99").get_data(as_text=True)
