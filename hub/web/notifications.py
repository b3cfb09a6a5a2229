"""Pages: "Mes notifications", and the unsubscribe link every covered message carries.

The unsubscribe link works without logging in (the signed token is the credential): GET
only asks for confirmation, since mail scanners follow links; POST (the page's button, or
a mail client's RFC 8058 one-click request) turns the category off.
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from hub.errors import NotFound
from hub.extensions import csrf, db
from hub.rules import labels
from hub.services import notifications
from hub.web.forms import committed
from models import NOTIFICATION_CATEGORIES

bp = Blueprint("notifications", __name__)


@bp.get("/compte/notifications")
@login_required
def index():  # type: ignore[no-untyped-def]
    return render_template("account/notifications.html",
                           preferences=notifications.preferences_dict(current_user),
                           categories=labels.NOTIFICATION_CATEGORY)


@bp.post("/compte/notifications")
@login_required
def update():  # type: ignore[no-untyped-def]
    # An unticked box is absent from the form: every category is given, on or off.
    chosen = {category: category in request.form for category in NOTIFICATION_CATEGORIES}
    with committed("Vos préférences de notification sont enregistrées."):
        notifications.update_preferences(current_user._get_current_object(), chosen)
    return redirect(url_for("notifications.index"))


@bp.get(notifications.UNSUBSCRIBE_PATH + "<token>")
def unsubscribe_confirm(token: str):  # type: ignore[no-untyped-def]
    try:
        _, category = notifications.read_unsubscribe_token(token)
    except NotFound:
        return _invalid()
    return render_template("account/unsubscribe.html", state="confirm", token=token,
                           category=labels.NOTIFICATION_CATEGORY[category])


# The token in the address is the credential, and mail clients post without any page:
# no CSRF token can come with it.
@csrf.exempt
@bp.post(notifications.UNSUBSCRIBE_PATH + "<token>")
def unsubscribe(token: str):  # type: ignore[no-untyped-def]
    try:
        _, category = notifications.unsubscribe(token)
    except NotFound:
        return _invalid()
    db.session.commit()
    return render_template("account/unsubscribe.html", state="done", token=token,
                           category=labels.NOTIFICATION_CATEGORY[category])


def _invalid():  # type: ignore[no-untyped-def]
    return render_template("account/unsubscribe.html", state="invalid", token=None, category=None), 404
