"""The admins' page of outgoing mail: what waits to be delivered, what failed, and a
retry for the failed."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from hub.services import outbox
from hub.web.forms import committed
from models import utcnow

bp = Blueprint("outbox", __name__, url_prefix="/admin/envois")


@bp.before_request
@login_required
def _admins_only() -> None:
    if not outbox.may_see_deliveries(current_user):
        abort(403)


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    return render_template("admin/outbox.html", deliveries=outbox.deliveries(), now=utcnow(),
                           event_labels=outbox.EVENT_LABELS, job_labels=outbox.JOB_LABELS)


@bp.post("/<int:message_id>/relancer")
def retry(message_id: int):  # type: ignore[no-untyped-def]
    return _retried(lambda: f"Le message pour {outbox.retry(message_id, current_user).recipient} "
                            "est remis dans la file d'envoi.")


@bp.post("/preparations/<int:job_id>/relancer")
def retry_job(job_id: int):  # type: ignore[no-untyped-def]
    return _retried(lambda: f"Les messages de la réservation n° {outbox.retry_job(job_id, current_user).booking_id} "
                            "seront préparés à nouveau.")


def _retried(retry: Callable[[], str]):  # type: ignore[no-untyped-def]
    """Run `retry` (it says what it did), commit, and back to the page."""
    with committed() as outcome:
        outcome.success = retry()
    return redirect(url_for("outbox.index"))
