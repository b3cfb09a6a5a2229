"""The booking form's weekly series and the API's skip_conflicts: "Ignorer les créneaux
déjà pris" books the free weeks and names the taken ones."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from hub.extensions import db
from hub.timeutil import PARIS
from models import Booking


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
