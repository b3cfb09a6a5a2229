"""The booking form's weekly series and the API's skip_conflicts: "Ignorer les créneaux
déjà pris" books the free weeks and names the taken ones."""
from __future__ import annotations

import html
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from hub.extensions import db
from hub.timeutil import PARIS
from models import Booking, BookingSeries
from tests.conftest import PASSWORD


def monday_at(hour: int, weeks_ahead: int = 1) -> datetime:
    today = datetime.now(PARIS).replace(hour=hour, minute=0, second=0, microsecond=0)
    return today + timedelta(days=7 * weeks_ahead - today.weekday())


def test_a_series_can_skip_the_weeks_already_taken(client, auth, make):  # type: ignore[no-untyped-def]
    member = make.user(email="membre@tl.fr")
    hub = make.fabrique()
    place = make.place(members=[member])
    room = make.resource(hub, kind="space", capacity=1, name="Atelier")
    start = monday_at(14)
    taken = start + timedelta(weeks=2)
    make.booking(room, make.place(), start_at=taken, end_at=taken + timedelta(hours=2))
    auth.login("membre@tl.fr")
    page = client.get(f"/ressources/{room.id}").get_data(as_text=True)
    assert 'name="skip_conflicts"' in page and "Ignorer les créneaux déjà pris" in page
    form = {"place": place.slug, "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "quantity": "1", "repeat_weeks": "4"}
    # Unticked, one taken week refuses the whole series.
    assert client.post(f"/ressources/{room.id}/reserver", data=form).status_code == 422
    response = client.post(f"/ressources/{room.id}/reserver", data={**form, "skip_conflicts": "1"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert (f"Série enregistrée : 3 réservations, une par semaine. Créneaux déjà pris, ignorés : "
            f"{taken.strftime('%d/%m')}.") in response.get_data(as_text=True)
    db.session.expire_all()
    mine = db.session.scalars(sa.select(Booking).where(Booking.place_id == place.id)).all()
    assert len(mine) == 3 and all(b.start_at != taken for b in mine)


def _booked_series(client, auth, make, weeks: int = 4):  # type: ignore[no-untyped-def]
    """A member's weekly series booked through the page; (member's place, series bookings)."""
    member = make.user(email="membre@tl.fr")
    place = make.place(members=[member], name="Tiers-lieu du port")
    room = make.resource(make.fabrique(), kind="space", capacity=1, name="Atelier")
    start = monday_at(14)
    auth.login("membre@tl.fr")
    form = {"place": place.slug, "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "quantity": "1",
            "repeat_weeks": str(weeks)}
    assert client.post(f"/ressources/{room.id}/reserver", data=form).status_code == 302
    mine = db.session.scalars(sa.select(Booking).where(Booking.place_id == place.id).order_by(Booking.start_at)).all()
    return place, mine


def statuses(bookings) -> list[str]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return [db.session.get(Booking, b.id).status for b in bookings]


def test_a_member_cancels_what_is_left_of_a_series_from_one_of_its_bookings(client, auth, make):
    place, series = _booked_series(client, auth, make)
    # The first week is over: it stays as it was.
    first = series[0]
    first.start_at, first.end_at = first.start_at - timedelta(weeks=2), first.end_at - timedelta(weeks=2)
    db.session.commit()
    page = client.get(f"/reservations/{series[1].id}").get_data(as_text=True)
    assert "Annuler toute la série (3 réservations à venir)" in page
    assert f'data-confirm="/series/{series[1].series_id}/annuler"' in page
    confirmation = client.get(f"/series/{series[1].series_id}/annuler").get_data(as_text=True)
    assert "3 réservations à venir seront annulées" in confirmation
    assert confirmation.count("<li>Du ") == 3
    done = client.post(f"/series/{series[1].series_id}/annuler", data={"next": "/mes-reservations"},
                       follow_redirects=True)
    assert "La série est annulée : 3 réservations à venir annulées." in done.get_data(as_text=True)
    assert statuses(series) == ["confirmed", "cancelled", "cancelled", "cancelled"]
    assert "Annuler toute la série" not in client.get(f"/reservations/{series[1].id}").get_data(as_text=True)


def test_a_series_page_action_is_for_those_who_may_cancel_it(client, auth, make):
    place, series = _booked_series(client, auth, make, weeks=2)
    make.user(email="autre@tl.fr")
    auth.logout()
    auth.login("autre@tl.fr")
    assert client.get(f"/series/{series[0].series_id}/annuler").status_code == 404
    refused = client.post(f"/series/{series[0].series_id}/annuler", follow_redirects=True)
    assert "Cette série n'existe pas." in html.unescape(refused.get_data(as_text=True))
    assert statuses(series) == ["confirmed", "confirmed"]


class TestCancellingASeriesWithoutToken:
    @pytest.fixture
    def app_config(self):  # type: ignore[no-untyped-def]
        return {"WTF_CSRF_ENABLED": True}

    def test_a_post_without_the_page_token_is_refused_and_cancels_nothing(self, client, make):
        member = make.user(email="membre@tl.fr")
        place = make.place(members=[member])
        room = make.resource(make.fabrique(), kind="space", capacity=1)
        made = [make.booking(room, place, start_at=monday_at(14, weeks)) for weeks in (1, 2)]
        bookings = BookingSeries(resource_id=room.id, place_id=place.id, user_id=member.id, every="week")
        db.session.add(bookings)
        db.session.flush()
        for b in made:
            b.series_id = bookings.id
        db.session.commit()
        client.post("/connexion", data={"email": "membre@tl.fr", "password": PASSWORD})
        assert client.post(f"/series/{bookings.id}/annuler").status_code == 400
        assert statuses(made) == ["confirmed", "confirmed"]
