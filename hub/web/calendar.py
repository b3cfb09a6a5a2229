"""Calendars: an .ics file per booking and each user's private feed of their places' bookings."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from hub.errors import DomainError
from hub.extensions import db
from hub.services import bookings as bookings_service
from hub.services import catalogue as catalogue_service
from hub.services import exports

bp = Blueprint("calendar", __name__)

ICS_MIMETYPE = "text/calendar; charset=utf-8"


@bp.get("/reservations/<int:booking_id>.ics")
@login_required
def booking(booking_id: int):  # type: ignore[no-untyped-def]
    try:
        found = bookings_service.get_visible_booking(current_user, booking_id)
    except DomainError:
        abort(404)
    body = exports.booking_ics(
        found,
        request.host,
        # The booking page: it still answers once the resource is archived.
        url_for("catalogue.booking", booking_id=found.id, _external=True),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ICS_MIMETYPE
    response.headers["Content-Disposition"] = f'attachment; filename="reservation-{found.id}.ics"'
    return response


@bp.get("/calendrier/<token>.ics")
def feed(token: str):  # type: ignore[no-untyped-def]
    user = catalogue_service.user_by_calendar_token(token)
    if user is None:
        abort(404)
    response = Response(exports.feed_ics(user, request.host), mimetype="text/calendar")
    response.headers["Content-Type"] = ICS_MIMETYPE
    response.headers["Content-Disposition"] = 'inline; filename="maillage.ics"'
    # The URL is the secret: keep it out of shared caches.
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.post("/calendrier/lien")
@login_required
def regenerate():  # type: ignore[no-untyped-def]
    had_token = current_user.calendar_token is not None
    catalogue_service.regenerate_calendar_token(current_user)
    db.session.commit()
    flash(
        "Nouveau lien d'agenda créé : l'ancien ne fonctionne plus." if had_token
        else "Votre lien d'agenda est prêt.",
        "success",
    )
    return redirect(url_for("catalogue.my_bookings") + "#feed-title")
