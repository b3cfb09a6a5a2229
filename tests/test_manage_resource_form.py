"""The resource form of issue 11: opening hours as rows of day, from, to (errors beside
each row and in the summary), durations as a number and a unit."""
from __future__ import annotations

import pytest

from hub.extensions import db
from models import Resource, User


@pytest.fixture
def room(make):  # type: ignore[no-untyped-def]
    manager = make.user(email="gestion@fab.fr", name="Gérante")
    fab = make.fabrique(name="Fabrique de Brest", slug="fab-brest", managers=[manager])
    return make.resource(fab, name="Salle de réunion", kind="space", capacity=10,
                         opening_hours={"tue": [["09:00", "12:00"]]})


def form(**fields: str) -> dict[str, str]:
    """The form as the page sends it (its rows marker included)."""
    return {"name": "Salle de réunion", "capacity": "10", "opening_hours_rows": "1", **fields}


def saved(room: Resource) -> Resource:
    db.session.expire_all()
    return db.session.get(Resource, room.id)


def edit(client, room, data):  # type: ignore[no-untyped-def]
    return client.post(f"/gestion/ressources/{room.id}/modifier", data=data)


def test_opening_hours_rows_are_saved_as_the_api_shape(client, auth, room, make):  # type: ignore[no-untyped-def]
    auth.login("gestion@fab.fr")
    response = edit(client, room, form(**{
        "hours-0-day": "mon", "hours-0-from": "14:00", "hours-0-to": "18:00",
        "hours-1-day": "mon", "hours-1-from": "09:00", "hours-1-to": "12:30",
        # A row left empty is no range; an end at 00:00 is midnight.
        "hours-2-day": "", "hours-2-from": "", "hours-2-to": "",
        "hours-7-day": "sat", "hours-7-from": "20:00", "hours-7-to": "00:00",
    }))
    assert response.status_code == 302
    assert saved(room).opening_hours == {"mon": [["09:00", "12:30"], ["14:00", "18:00"]],
                                         "sat": [["20:00", "24:00"]]}
    manager = db.session.scalar(db.select(User).where(User.email == "gestion@fab.fr"))
    api = client.get(f"/api/v1/resources/{room.id}", headers=make.api_headers(manager)).get_json()
    assert api["opening_hours"] == {"mon": [["09:00", "12:30"], ["14:00", "18:00"]], "sat": [["20:00", "24:00"]]}


def test_the_form_shows_stored_rows_and_empty_ones_to_fill(client, auth, room):  # type: ignore[no-untyped-def]
    room.opening_hours = {"tue": [["09:00", "12:00"]], "fri": [["14:00", "24:00"]]}
    db.session.commit()
    auth.login("gestion@fab.fr")
    page = client.get(f"/gestion/ressources/{room.id}/modifier").get_data(as_text=True)
    assert '<option value="tue" selected>Mardi</option>' in page
    assert 'name="hours-0-from" value="09:00"' in page and 'name="hours-1-to" value="00:00"' in page
    # Without JavaScript, empty rows still let the manager add ranges.
    assert 'name="hours-3-day"' in page and 'name="hours-4-day"' not in page


def test_no_row_left_means_open_at_all_hours(client, auth, room):  # type: ignore[no-untyped-def]
    auth.login("gestion@fab.fr")
    assert edit(client, room, form(**{"hours-0-day": "", "hours-0-from": "", "hours-0-to": ""})).status_code == 302
    assert saved(room).opening_hours is None


@pytest.mark.parametrize("row, field, message", [
    ({"hours-0-day": "mon", "hours-0-from": "18:00", "hours-0-to": "09:00"}, "hours-0-to",
     "La fin doit suivre le début (18:00)."),
    ({"hours-0-day": "lundi", "hours-0-from": "09:00", "hours-0-to": "12:00"}, "hours-0-day",
     "Jour inconnu : choisissez un jour de la liste."),
    ({"hours-0-day": "", "hours-0-from": "09:00", "hours-0-to": "12:00"}, "hours-0-day",
     "Choisissez le jour de cette plage."),
    ({"hours-0-day": "wed", "hours-0-from": "25:00", "hours-0-to": "12:00"}, "hours-0-from",
     "Indiquez l&#39;heure de début, par exemple 09:00."),
    ({"hours-0-day": "wed", "hours-0-from": "09:00", "hours-0-to": "13:00",
      "hours-1-day": "wed", "hours-1-from": "12:00", "hours-1-to": "18:00"}, "hours-1-from",
     "Cette plage chevauche celle du mercredi 09:00–13:00."),
])
def test_a_faulty_row_is_named_beside_it_and_in_the_summary(client, auth, room, row, field, message):  # type: ignore[no-untyped-def]
    auth.login("gestion@fab.fr")
    response = edit(client, room, form(**row))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<p id="f-{field}-error" class="fr-error-text">{message}</p>' in page
    assert f'aria-describedby="f-{field}-error"' in page
    assert f'<a href="#f-{field}">Horaires, plage' in page and "<title>Erreur : " in page
    # What was typed stays, and nothing is saved.
    assert f'name="{field}"' in page
    assert saved(room).opening_hours == {"tue": [["09:00", "12:00"]]}


def test_a_new_resource_takes_its_hours_and_durations_from_the_form(client, auth, room):  # type: ignore[no-untyped-def]
    auth.login("gestion@fab.fr")
    response = client.post("/gestion/lieux/fab-brest/ressources/nouvelle", data={
        "kind": "space", "name": "Atelier bois", "capacity": "6", "opening_hours_rows": "1",
        "hours-0-day": "thu", "hours-0-from": "10:00", "hours-0-to": "16:00",
        "max_duration": "2", "max_duration_unit": "days", "min_notice": "30", "min_notice_unit": "minutes",
    })
    assert response.status_code == 302
    created = db.session.scalar(db.select(Resource).where(Resource.name == "Atelier bois"))
    assert created.opening_hours == {"thu": [["10:00", "16:00"]]}
    assert created.max_duration_minutes == 2 * 24 * 60 and created.min_notice_minutes == 30


def test_durations_convert_from_their_unit_and_show_in_the_largest_whole_one(client, auth, room):  # type: ignore[no-untyped-def]
    auth.login("gestion@fab.fr")
    edit(client, room, form(min_duration="1,5", min_duration_unit="hours", max_duration="48",
                            max_duration_unit="hours", min_notice="", min_notice_unit="days"))
    stored = saved(room)
    assert (stored.min_duration_minutes, stored.max_duration_minutes, stored.min_notice_minutes) == (90, 2880, None)
    page = client.get(f"/gestion/ressources/{room.id}/modifier").get_data(as_text=True)
    # 48 hours come back as 2 days, 1.5 hours as 90 minutes.
    assert 'name="max_duration"\n           value="2"' in page
    assert page.split('id="f-max_duration_unit"')[1].split("</select>")[0].count('value="days" selected') == 1
    assert 'name="min_duration"\n           value="90"' in page
    assert page.split('id="f-min_duration_unit"')[1].split("</select>")[0].count('value="minutes" selected') == 1


@pytest.mark.parametrize("fields, message", [
    ({"max_duration": "deux", "max_duration_unit": "days"}, "Indiquez un nombre, par exemple 2 ou 1,5."),
    ({"max_duration": "4", "max_duration_unit": "weeks"}, "Choisissez une unité : minutes, heures ou jours."),
    ({"max_duration": "2000", "max_duration_unit": "days"}, "Au plus 1830 jours (cinq ans)."),
])
def test_a_bad_duration_is_refused_beside_its_field(client, auth, room, fields, message):  # type: ignore[no-untyped-def]
    auth.login("gestion@fab.fr")
    response = edit(client, room, form(**fields))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<p id="f-max_duration-error" class="fr-error-text">{message}</p>' in page
    assert '<a href="#f-max_duration">Durée maximale : ' in page
    assert saved(room).max_duration_minutes is None
