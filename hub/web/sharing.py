"""Pages of deeper sharing: a hub's managers lend and take back kits; a member books a
weekly series, borrows by days, and sees their qualifications and where they count."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Mapping

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from hub.errors import DomainError
from hub.services import bookings as bookings_service
from hub.services import loans, qualifications, series
from hub.timeutil import PARIS, local
from hub.web.forms import committed
from hub.web.redirects import next_or
from models import Resource, utcnow

bp = Blueprint("sharing", __name__)


@bp.post("/gestion/prets/<int:booking_id>/remise")
@login_required
def checkout(booking_id: int):  # type: ignore[no-untyped-def]
    with committed("Le prêt est remis : il est noté comme sorti."):
        loans.checkout(bookings_service.get_visible_booking(current_user, booking_id), current_user)
    return redirect(next_or(url_for("manage.index")))


@bp.post("/gestion/prets/<int:booking_id>/retour")
@login_required
def take_back(booking_id: int):  # type: ignore[no-untyped-def]
    with committed("Le retour est enregistré."):
        loans.return_loan(bookings_service.get_visible_booking(current_user, booking_id), current_user,
                          {"condition": request.form.get("condition", "")})
    return redirect(next_or(url_for("manage.index")))


@bp.get("/series/<int:series_id>/annuler")
@login_required
def confirm_cancel_series(series_id: int):  # type: ignore[no-untyped-def]
    """Cancelling a series asks first, on a page of its own: it works without JavaScript."""
    try:
        found = series.series_to_cancel(series_id, current_user)
    except DomainError:
        abort(404)
    return render_template("catalogue/cancel_series.html", series=found, coming=series.coming_bookings(found.id),
                           back=next_or(url_for("catalogue.my_bookings")))


@bp.post("/series/<int:series_id>/annuler")
@login_required
def cancel_series(series_id: int):  # type: ignore[no-untyped-def]
    with committed() as outcome:
        cancelled = series.cancel_series(series_id, current_user)["cancelled"]
        outcome.success = ("La série est annulée : " + (
            f"{cancelled} réservations à venir annulées." if cancelled > 1 else
            "1 réservation à venir annulée." if cancelled else "elle n'avait plus de réservation à venir."))
    return redirect(next_or(url_for("catalogue.my_bookings")))


@bp.get("/mes-qualifications")
@login_required
def my_qualifications():  # type: ignore[no-untyped-def]
    return render_template("sharing/qualifications.html",
                           items=qualifications.qualifications_of_user(current_user))


# ---------------------------------------------------------------- the booking form

def booking_form(res: Resource, form: Mapping[str, Any]) -> dict[str, Any]:
    """The booking form as the services read it. A loan is chosen by days: from the start
    day's morning (now, for today) to the end of the end day, Paris time."""
    data = dict(form.items())
    if res.kind == "loan":
        first, last = _day(data.get("start")), _day(data.get("end"))
        if first is not None:
            start = datetime.combine(first, time(0), PARIS)
            now = utcnow().astimezone(PARIS).replace(second=0, microsecond=0) + timedelta(minutes=1)
            data["start"] = max(start, now).isoformat() if first == now.date() else start.isoformat()
        if last is not None:
            data["end"] = datetime.combine(last + timedelta(days=1), time(0), PARIS).isoformat()
    return data


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def book_series(res: Resource, booker_id: int, data: Mapping[str, Any]) -> str:
    """"Répéter chaque semaine, N fois" of the booking form: N weekly bookings, all or
    nothing unless "Ignorer les créneaux déjà pris" (the API's skip_conflicts) is ticked.
    Returns the message to flash; a refusal raises, as for a single booking."""
    made = series.create_series(res.id, booker_id, {**data, "every": "week", "count": data.get("repeat_weeks")})
    message = f"Série enregistrée : {len(made['bookings'])} réservations, une par semaine."
    if made["skipped"]:
        days = ", ".join(local(datetime.fromisoformat(s["start"])).strftime("%d/%m") for s in made["skipped"])
        message += f" Créneaux déjà pris, ignorés : {days}."
    return message
