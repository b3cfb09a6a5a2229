"""Member pages: the catalogue, a resource page with its free/busy week, booking, my bookings."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from hub.extensions import db
from hub.timeutil import PARIS
from models import Booking, utcnow


def next_monday() -> date:
    today = datetime.now(PARIS).date()
    return today + timedelta(days=7 - today.weekday())


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def local_input(moment: datetime) -> str:
    """What an <input type="datetime-local"> sends."""
    return moment.strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    """Two fabriques in different départements, a tiers-lieu with a member."""
    manager = make.user(email="gestion@fab.fr", name="Gérante")
    member = make.user(email="membre@tl.fr", name="Membre")
    brest = make.fabrique(name="Fabrique de Brest", slug="fab-brest", departement="29", commune="Brest",
                          managers=[manager])
    lyon = make.fabrique(name="Fabrique de Lyon", slug="fab-lyon", departement="69", commune="Lyon")
    tiers = make.place(name="Tiers-lieu du Port", slug="tl-port", members=[member])
    laser = make.resource(brest, name="Découpeuse laser", kind="machine",
                          description="Laser CO2 60 W pour bois et acrylique")
    room = make.resource(lyon, name="Salle de réunion", kind="space", capacity=12)
    training = make.resource(brest, name="Formation laser", kind="training", capacity=8)
    return {"manager": manager, "member": member, "brest": brest, "lyon": lyon, "tiers": tiers,
            "laser": laser, "room": room, "training": training}


def test_catalogue_lists_resources_of_every_fabrique(client, world):  # type: ignore[no-untyped-def]
    page = client.get("/ressources").get_data(as_text=True)
    assert "Découpeuse laser" in page
    assert "Salle de réunion" in page
    assert "Fabrique de Lyon" in page


def test_catalogue_hides_archived_resources(client, world, make):  # type: ignore[no-untyped-def]
    from models import utcnow

    make.resource(world["lyon"], name="Vieille imprimante", archived_at=utcnow())
    assert "Vieille imprimante" not in client.get("/ressources").get_data(as_text=True)


def test_catalogue_filters_by_kind(client, world):  # type: ignore[no-untyped-def]
    page = client.get("/ressources?type=space").get_data(as_text=True)
    assert "Salle de réunion" in page
    assert "Découpeuse laser" not in page


def test_catalogue_filters_by_departement(client, world):  # type: ignore[no-untyped-def]
    page = client.get("/ressources?departement=69").get_data(as_text=True)
    assert "Salle de réunion" in page
    assert "Découpeuse laser" not in page


def test_catalogue_filters_by_text(client, world):  # type: ignore[no-untyped-def]
    page = client.get("/ressources?q=acrylique").get_data(as_text=True)
    assert "Découpeuse laser" in page
    assert "Salle de réunion" not in page


def test_catalogue_ignores_unknown_filter_values(client, world):  # type: ignore[no-untyped-def]
    response = client.get("/ressources?type=fusée&departement=999&page=abc")
    assert response.status_code == 200
    assert "Salle de réunion" in response.get_data(as_text=True)


def test_catalogue_is_paginated(client, world, make):  # type: ignore[no-untyped-def]
    for n in range(25):
        make.resource(world["lyon"], name=f"Casier {n:02d}")
    first = client.get("/ressources?q=Casier").get_data(as_text=True)
    second = client.get("/ressources?q=Casier&page=2").get_data(as_text=True)
    assert "Casier 00" in first and "Casier 24" not in first
    assert "Casier 24" in second and "Page 2 sur 2" in second


def test_resource_page_shows_rules_and_host(client, world, make):  # type: ignore[no-untyped-def]
    world["laser"].requires_approval = True
    world["laser"].max_hours_per_week = 4
    world["laser"].opening_hours = {"mon": [["09:00", "18:00"]]}
    world["laser"].prerequisite_id = world["training"].id
    db.session.commit()
    page = client.get(f"/ressources/{world['laser'].id}").get_data(as_text=True)
    assert "Fabrique de Brest" in page
    assert "validée par l&#39;équipe" in page
    assert "Au plus 4 h par semaine" in page
    assert "Lundi : 09:00–18:00" in page
    assert "« Formation laser »" in page


def cell_state(page: str, start: datetime) -> str:
    """The data-state of the week grid's cell that starts at `start` (Paris time)."""
    cell = page.split(f'<td class="maillage-')[1:]
    for chunk in cell:
        if f'data-start="{local_input(start)}"' in chunk.split(">")[0]:
            return chunk.split('data-state="')[1].split('"')[0]
    raise AssertionError(f"no cell starts at {start}")


def test_resource_page_shows_busy_slots_from_bookings_as_a_week_grid(client, world, make):  # type: ignore[no-untyped-def]
    monday = next_monday()
    make.booking(world["laser"], world["tiers"], start_at=paris(monday, 10), end_at=paris(monday, 12))
    page = client.get(f"/ressources/{world['laser'].id}?semaine={monday.isoformat()}").get_data(as_text=True)
    assert 'id="availability"' in page and 'data-live="availability"' in page
    assert cell_state(page, paris(monday, 10)) == "busy"
    assert cell_state(page, paris(monday, 11, 30)) == "busy"
    assert cell_state(page, paris(monday, 9, 30)) == "free"
    assert cell_state(page, paris(monday, 12)) == "free"
    # A free cell is a button that says what it is; a busy one says it too, to screen readers.
    assert f'aria-label="Lundi {monday:%d/%m}, 09:30–10:00 : libre"' in page
    assert f"Lundi {monday:%d/%m}, 10:00–10:30 : occupé" in page


def test_resource_grid_keeps_to_the_opening_hours(client, world, make):  # type: ignore[no-untyped-def]
    monday = next_monday()
    world["laser"].opening_hours = {"mon": [["09:00", "12:00"], ["14:00", "18:00"]], "tue": [["10:00", "16:00"]]}
    db.session.commit()
    page = client.get(f"/ressources/{world['laser'].id}?semaine={monday.isoformat()}").get_data(as_text=True)
    assert f'data-start="{local_input(paris(monday, 8, 30))}"' not in page  # before the earliest opening
    assert f'data-start="{local_input(paris(monday, 18))}"' not in page  # after the latest closing
    assert cell_state(page, paris(monday, 9)) == "free"
    assert cell_state(page, paris(monday, 12, 30)) == "closed"  # the lunch break
    assert cell_state(page, paris(monday + timedelta(days=1), 9)) == "closed"
    assert cell_state(page, paris(monday + timedelta(days=2), 10)) == "closed"  # closed on Wednesdays


def test_training_page_shows_sessions_and_no_hours_grid(client, world, auth, make):  # type: ignore[no-untyped-def]
    world["training"].opening_hours = {"mon": [["09:00", "18:00"]]}
    db.session.commit()
    session = make.session(world["training"], seats=8, seats_taken=8)
    auth.login("membre@tl.fr")
    page = client.get(f"/ressources/{world['training'].id}").get_data(as_text=True)
    assert 'class="maillage-week"' not in page and "Horaires d'ouverture" not in page
    assert f'data-session="{session.id}"' in page and "complète (liste d'attente)" in page
    assert 'name="session"' in page
    chosen = client.get(f"/ressources/{world['training'].id}?session={session.id}").get_data(as_text=True)
    assert f'<option value="{session.id}" selected>' in chosen


def test_incubation_is_asked_by_days(client, world, auth, make):  # type: ignore[no-untyped-def]
    nest = make.resource(world["brest"], name="Incubateur", kind="incubation", requires_approval=True)
    first = next_monday() + timedelta(days=7)
    auth.login("membre@tl.fr")
    page = client.get(f"/ressources/{nest.id}").get_data(as_text=True)
    assert 'type="date" id="f-start"' in page and 'type="date" id="f-end"' in page
    response = client.post(f"/ressources/{nest.id}/reserver", data={
        "place": "tl-port", "start": first.isoformat(), "end": (first + timedelta(days=13)).isoformat(),
        "note": "Atelier de couture solidaire"})
    assert response.status_code == 302
    booking = db.session.scalars(sa.select(Booking)).one()
    assert booking.start_at == paris(first, 0)
    assert booking.end_at == paris(first + timedelta(days=14), 0)  # the last day included


def test_resource_page_week_navigation_moves_by_seven_days(client, world):  # type: ignore[no-untyped-def]
    monday = next_monday()
    page = client.get(f"/ressources/{world['laser'].id}?semaine={(monday + timedelta(days=3)).isoformat()}")
    text = page.get_data(as_text=True)
    assert f"?semaine={(monday + timedelta(days=7)).isoformat()}" in text
    assert f"?semaine={(monday - timedelta(days=7)).isoformat()}" in text


def test_resource_page_with_a_bad_week_shows_this_week(client, world):  # type: ignore[no-untyped-def]
    assert client.get(f"/ressources/{world['laser'].id}?semaine=n%27importe").status_code == 200


def test_unknown_resource_is_404(client, world):  # type: ignore[no-untyped-def]
    assert client.get("/ressources/999999").status_code == 404


def test_anonymous_visitor_is_invited_to_log_in_to_book(client, world):  # type: ignore[no-untyped-def]
    page = client.get(f"/ressources/{world['laser'].id}").get_data(as_text=True)
    assert "Connectez-vous pour réserver" in page
    assert 'id="booking-form"' not in page


def test_training_page_lists_sessions_with_seats_left(client, world, auth, make):  # type: ignore[no-untyped-def]
    make.session(world["training"], seats=8, seats_taken=3)
    auth.login("membre@tl.fr")
    page = client.get(f"/ressources/{world['training'].id}").get_data(as_text=True)
    assert "5 sur 8" in page
    assert "5 places restantes" in page  # in the session select of the form


def test_booking_through_the_form_shows_in_my_bookings(client, world, auth):  # type: ignore[no-untyped-def]
    monday = next_monday()
    auth.login("membre@tl.fr")
    response = client.post(
        f"/ressources/{world['laser'].id}/reserver",
        data={"place": "tl-port", "start": local_input(paris(monday, 14)),
              "end": local_input(paris(monday, 16)), "quantity": "1", "note": "Prototype"},
    )
    assert response.status_code == 302
    page = client.get("/mes-reservations").get_data(as_text=True)
    assert 'id="my-bookings"' in page
    assert "Découpeuse laser" in page
    assert f"{paris(monday, 14):%d/%m/%Y} 14:00" in page
    assert "confirmée" in page


def test_booking_a_taken_slot_shows_the_error_beside_the_field_and_creates_nothing(
    client, world, auth, make
):  # type: ignore[no-untyped-def]
    monday = next_monday()
    make.booking(world["laser"], world["tiers"], start_at=paris(monday, 10), end_at=paris(monday, 12))
    auth.login("membre@tl.fr")
    response = client.post(
        f"/ressources/{world['laser'].id}/reserver",
        data={"place": "tl-port", "start": local_input(paris(monday, 11)),
              "end": local_input(paris(monday, 13)), "quantity": "1", "note": "Essai"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-start-error"' in page
    assert f'value="{local_input(paris(monday, 11))}"' in page
    assert ">Essai</textarea>" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1


def test_booking_that_ends_before_it_starts_is_refused_with_the_values_kept(
    client, world, auth
):  # type: ignore[no-untyped-def]
    monday = next_monday()
    auth.login("membre@tl.fr")
    response = client.post(
        f"/ressources/{world['laser'].id}/reserver",
        data={"place": "tl-port", "start": local_input(paris(monday, 16)),
              "end": local_input(paris(monday, 14)), "quantity": "1"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-end-error"' in page
    assert 'aria-invalid="true"' in page
    assert f'value="{local_input(paris(monday, 16))}"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


def test_booking_with_an_unreadable_date_is_refused(client, world, auth):  # type: ignore[no-untyped-def]
    monday = next_monday()
    auth.login("membre@tl.fr")
    response = client.post(
        f"/ressources/{world['laser'].id}/reserver",
        data={"place": "tl-port", "start": "demain", "end": local_input(paris(monday, 14))},
    )
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


def test_member_cancels_a_booking(client, world, auth, make):  # type: ignore[no-untyped-def]
    booking = make.booking(world["laser"], world["tiers"], start_at=paris(next_monday(), 10))
    auth.login("membre@tl.fr")
    assert "Annuler" in client.get("/mes-reservations").get_data(as_text=True)
    response = client.post(f"/reservations/{booking.id}/annuler")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "cancelled"
    page = client.get("/mes-reservations").get_data(as_text=True)
    assert "annulée" in page
    assert f"/reservations/{booking.id}/annuler" not in page


def test_stranger_cannot_cancel_a_booking(client, world, auth, make):  # type: ignore[no-untyped-def]
    booking = make.booking(world["laser"], world["tiers"], start_at=paris(next_monday(), 10))
    make.user(email="autre@ailleurs.fr")
    auth.login("autre@ailleurs.fr")
    client.post(f"/reservations/{booking.id}/annuler")
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"


def test_my_bookings_needs_a_login(client, world):  # type: ignore[no-untyped-def]
    response = client.get("/mes-reservations")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


def test_booking_a_training_session_through_the_form(client, world, auth, make):  # type: ignore[no-untyped-def]
    session = make.session(world["training"], seats=8, start=paris(next_monday(), 9))
    auth.login("membre@tl.fr")
    response = client.post(f"/ressources/{world['training'].id}/reserver",
                           data={"place": "tl-port", "session": str(session.id), "quantity": "2"})
    assert response.status_code == 302
    assert "6 sur 8" in client.get(f"/ressources/{world['training'].id}").get_data(as_text=True)
    assert "Formation laser" in client.get("/mes-reservations").get_data(as_text=True)


def test_booking_for_a_place_i_do_not_belong_to_is_refused_beside_the_place(
    client, world, auth
):  # type: ignore[no-untyped-def]
    monday = next_monday()
    auth.login("membre@tl.fr")
    response = client.post(
        f"/ressources/{world['laser'].id}/reserver",
        data={"place": "fab-lyon", "start": local_input(paris(monday, 14)), "end": local_input(paris(monday, 16))},
    )
    assert response.status_code == 422
    assert 'id="f-place-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


def test_booking_that_needs_approval_is_pending_in_my_bookings(client, world, auth):  # type: ignore[no-untyped-def]
    world["laser"].requires_approval = True
    db.session.commit()
    monday = next_monday()
    auth.login("membre@tl.fr")
    response = client.post(
        f"/ressources/{world['laser'].id}/reserver", follow_redirects=True,
        data={"place": "tl-port", "start": local_input(paris(monday, 14)), "end": local_input(paris(monday, 16))},
    )
    page = response.get_data(as_text=True)
    assert "Votre demande est envoyée" in page
    assert 'data-status="pending"' in page and "en attente" in page


def test_taken_slot_keeps_the_week_says_why_at_the_top_and_offers_the_next_free_slots(
    client, world, auth, make
):  # type: ignore[no-untyped-def]
    monday = next_monday() + timedelta(days=7)
    world["laser"].opening_hours = {day: [["09:00", "18:00"]] for day in ("mon", "tue")}
    db.session.commit()
    make.booking(world["laser"], world["tiers"], start_at=paris(monday, 9), end_at=paris(monday, 15))
    auth.login("membre@tl.fr")
    response = client.post(
        f"/ressources/{world['laser'].id}/reserver?semaine={monday.isoformat()}",
        data={"place": "tl-port", "start": local_input(paris(monday, 10)),
              "end": local_input(paris(monday, 12)), "quantity": "1"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<title>Erreur : Découpeuse laser" in page
    summary = page.split('id="form-errors"')[1].split("</div>")[0]
    assert "data-focus-on-load" in page.split('id="form-errors"')[1][:200]
    assert "Il ne reste pas assez de place sur ce créneau." in summary
    assert 'href="#f-start"' in summary
    # The week the member was looking at, not this week.
    assert f"Disponibilités de la semaine du {monday:%d/%m/%Y}" in page
    # Free slots of the same two hours: the afternoon after the booking, then Tuesday morning.
    assert f'data-fill-start="{local_input(paris(monday, 15))}" data-fill-end="{local_input(paris(monday, 17))}"' in summary
    assert f'data-fill-start="{local_input(paris(monday + timedelta(days=1), 9))}"' in summary
    # Without JavaScript, a suggestion opens the page with the form filled in.
    link = summary.split('<a href="')[2].split('"')[0].replace("&amp;", "&")
    prefilled = client.get(link).get_data(as_text=True)
    assert f'value="{local_input(paris(monday, 15))}"' in prefilled


def test_week_links_of_a_refused_booking_lead_to_the_resource_page(client, world, auth):  # type: ignore[no-untyped-def]
    auth.login("membre@tl.fr")
    page = client.post(f"/ressources/{world['laser'].id}/reserver", data={"place": "tl-port"}).get_data(as_text=True)
    assert f'href="/ressources/{world["laser"].id}?semaine=' in page


def test_cancelling_asks_first_then_cancels(client, world, auth, make):  # type: ignore[no-untyped-def]
    booking = make.booking(world["laser"], world["tiers"], start_at=paris(next_monday(), 10))
    auth.login("membre@tl.fr")
    listing = client.get("/mes-reservations").get_data(as_text=True)
    assert f'href="/reservations/{booking.id}/annuler"' in listing
    question = client.get(f"/reservations/{booking.id}/annuler")
    assert question.status_code == 200 and "Oui, annuler la réservation" in question.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"  # asking changes nothing
    client.post(f"/reservations/{booking.id}/annuler", data={"next": "/mes-reservations"})
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "cancelled"


def test_a_booking_of_an_archived_resource_still_has_its_page(client, world, auth, make):  # type: ignore[no-untyped-def]
    booking = make.booking(world["laser"], world["tiers"], start_at=paris(next_monday(), 10), status="cancelled")
    world["laser"].archived_at = utcnow()
    db.session.commit()
    auth.login("membre@tl.fr")
    listing = client.get("/mes-reservations").get_data(as_text=True)
    assert f'<a href="/reservations/{booking.id}">Découpeuse laser</a>' in listing
    page = client.get(f"/reservations/{booking.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Découpeuse laser" in text and 'id="archived-notice"' in text


def test_someone_elses_booking_page_is_404(client, world, auth, make):  # type: ignore[no-untyped-def]
    booking = make.booking(world["room"], world["lyon"], start_at=paris(next_monday(), 10))
    auth.login("membre@tl.fr")
    assert client.get(f"/reservations/{booking.id}").status_code == 404
    assert client.get(f"/reservations/{booking.id}/annuler").status_code == 404
