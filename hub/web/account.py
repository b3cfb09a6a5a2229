"""Pages: "Mon compte", the user's API tokens and password."""
from __future__ import annotations

from typing import Mapping

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from hub.errors import Invalid, NotFound, TooManyRequests
from hub.extensions import db
from hub.services import accounts
from models import utcnow

bp = Blueprint("account", __name__, url_prefix="/compte")

# Enough for any person; a script that made more sees the newest here, and all through
# GET /api/v1/tokens.
TOKENS_SHOWN = 200


def _page(errors: Mapping[str, str] | None = None, error: str | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    user = current_user._get_current_object()
    tokens = accounts.newest_tokens(user, TOKENS_SHOWN)
    return render_template("account/index.html", tokens=tokens, now=utcnow(),
                           errors=errors or {}, error=error), status


@bp.get("")
@login_required
def index():  # type: ignore[no-untyped-def]
    return _page()


@bp.post("/mot-de-passe")
@login_required
def change_password():  # type: ignore[no-untyped-def]
    user = current_user._get_current_object()
    try:
        accounts.change_password(user, request.form, request.remote_addr)
        db.session.commit()
    except (Invalid, TooManyRequests) as exc:
        db.session.rollback()
        page, status = _page(errors=exc.fields, error=exc.message, status=exc.status)
        return page, status, exc.headers
    # The change ended every session, this one too: it goes on under the new version.
    login_user(user)
    flash("Votre mot de passe est changé. Vos autres sessions sont fermées.", "success")
    return redirect(url_for("account.index"))


@bp.post("/jetons/<token_id>/revoquer")
@login_required
def revoke_token(token_id: str):  # type: ignore[no-untyped-def]
    try:
        accounts.revoke_token(current_user._get_current_object(), token_id)
        db.session.commit()
    except NotFound as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("account.index"))
    flash("Le jeton est révoqué : il ne donne plus accès à l'API.", "success")
    return redirect(url_for("account.index"))
