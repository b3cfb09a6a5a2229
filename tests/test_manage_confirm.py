"""Every destructive action of the back office and of the member asks first: the link
still leads to its confirmation page, and carries what the modal (static/js/
confirm-modal.js) needs to send the same POST: its action and its consequence in French."""
from __future__ import annotations

import html
import re
from datetime import datetime, time, timedelta

import pytest

from hub.timeutil import PARIS
from models import utcnow


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    manager = make.user(email="gestion@fab.fr", name="Gérante")
    member = make.user(email="membre@tl.fr", name="Margot Membre")
    fab = make.fabrique(name="Fabrique de Brest", slug="fab-brest", managers=[manager])
    tiers = make.place(name="Tiers-lieu du Port", slug="tl-port", members=[member])
    laser = make.resource(fab, name="Découpeuse laser")
    room = make.resource(fab, name="Salle de réunion", kind="space", capacity=10)
    day = datetime.now(PARIS).date() + timedelta(days=3)
    bookings = [make.booking(laser, tiers, user=member, start_at=datetime.combine(day, time(h), tzinfo=PARIS),
                             end_at=datetime.combine(day, time(h + 1), tzinfo=PARIS)) for h in (9, 11, 14)]
    # Past bookings are not cancelled by archiving: they do not count.
    make.booking(laser, tiers, start_at=utcnow() - timedelta(days=3), end_at=utcnow() - timedelta(days=3, hours=-1))
    return {"fab": fab, "laser": laser, "room": room, "tiers": tiers, "bookings": bookings}


def confirm_of(page: str, href: str) -> dict[str, str]:
    """The modal's attributes on the link to `href` (its query string aside)."""
    link = re.search(r'<a [^>]*href="' + re.escape(href) + r'[?"][^>]*>', page, re.S)
    assert link, href
    return {k: html.unescape(v) for k, v in re.findall(r'(data-confirm[a-z-]*)="([^"]*)"', link[0])}


def test_archive_links_say_how_many_bookings_will_be_cancelled(client, auth, world):  # type: ignore[no-untyped-def]
    auth.login("gestion@fab.fr")
    laser, room = world["laser"], world["room"]
    place = client.get("/gestion/lieux/fab-brest").get_data(as_text=True)
    attrs = confirm_of(place, f"/gestion/ressources/{laser.id}/archiver")
    assert attrs["data-confirm"] == f"/gestion/ressources/{laser.id}/archiver"
    assert attrs["data-confirm-title"] == "Archiver « Découpeuse laser » ?"
    assert attrs["data-confirm-text"] == ("La ressource sera retirée du catalogue. 3 réservations à venir seront "
                                          "annulées et leurs lieux prévenus.")
    assert "Aucune réservation à venir" in confirm_of(place, f"/gestion/ressources/{room.id}/archiver")["data-confirm-text"]
    page = client.get(f"/gestion/ressources/{laser.id}").get_data(as_text=True)
    assert "3 réservations à venir seront annulées" in confirm_of(page, f"/gestion/ressources/{laser.id}/archiver")["data-confirm-text"]
    assert "js/confirm-modal.js" in page and "js/confirm-modal.js" in place


def test_the_modal_posts_where_the_confirmation_page_posts(client, auth, world):  # type: ignore[no-untyped-def]
    """Without JavaScript the page asks; the modal sends the same form to the same action."""
    auth.login("gestion@fab.fr")
    laser = world["laser"]
    attrs = confirm_of(client.get(f"/gestion/ressources/{laser.id}").get_data(as_text=True),
                       f"/gestion/ressources/{laser.id}/archiver")
    question = client.get(f"/gestion/ressources/{laser.id}/archiver").get_data(as_text=True)
    assert f'action="{attrs["data-confirm"]}"' in question
    response = client.post(attrs["data-confirm"])
    assert response.status_code == 302
    assert "3 réservations à venir sont annulées" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_cancelling_and_refusing_from_the_place_calendar_ask_first(client, auth, world, make):  # type: ignore[no-untyped-def]
    pending = make.booking(world["room"], world["tiers"], status="pending",
                           start_at=world["bookings"][0].start_at, end_at=world["bookings"][0].end_at)
    auth.login("gestion@fab.fr")
    week = world["bookings"][0].start_at.astimezone(PARIS).date()
    back = f"/gestion/lieux/fab-brest/calendrier?semaine={week}"
    page = client.get(back).get_data(as_text=True)
    booking = world["bookings"][0]
    cancel = confirm_of(page, f"/gestion/reservations/{booking.id}/annuler")
    assert cancel["data-confirm"] == f"/gestion/reservations/{booking.id}/annuler" and cancel["data-confirm-next"] == back
    assert cancel["data-confirm-title"] == "Annuler la réservation de Tiers-lieu du Port ?"
    assert "son lieu prévenu" in cancel["data-confirm-text"]
    refuse = confirm_of(page, f"/gestion/reservations/{pending.id}/refuser")
    assert refuse["data-confirm"] == f"/gestion/reservations/{pending.id}/refuser" and "data-confirm-reason" in refuse


def test_a_member_cancelling_a_booking_is_asked_first(client, auth, world):  # type: ignore[no-untyped-def]
    auth.login("membre@tl.fr")
    booking = world["bookings"][0]
    for url in ("/mes-reservations", f"/reservations/{booking.id}"):
        attrs = confirm_of(client.get(url).get_data(as_text=True), f"/reservations/{booking.id}/annuler")
        assert attrs["data-confirm"] == f"/reservations/{booking.id}/annuler"
        assert attrs["data-confirm-text"].startswith("Découpeuse laser (Fabrique de Brest), pour Tiers-lieu du Port, du ")
        assert attrs["data-confirm-text"].endswith("le créneau sera libéré pour les autres lieux. Cette action ne peut pas être défaite.")
