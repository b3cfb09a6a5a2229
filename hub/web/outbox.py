"""The admins' page of outgoing mail: what waits to be delivered, what failed, and a
retry for the failed."""
from __future__ import annotations

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
    with committed() as outcome:
        message = outbox.retry(message_id, current_user)
        outcome.success = f"Le message pour {message.recipient} est remis dans la file d'envoi."
    return redirect(url_for("outbox.index"))


@bp.post("/preparations/<int:job_id>/relancer")
def retry_job(job_id: int):  # type: ignore[no-untyped-def]
    with committed() as outcome:
        job = outbox.retry_job(job_id, current_user)
        outcome.success = f"Les messages de la réservation n° {job.booking_id} seront préparés à nouveau."
    return redirect(url_for("outbox.index"))
