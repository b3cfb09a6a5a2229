"""Pages: "Mon compte" (name, email, password, API tokens) and the link of account.verify."""
from __future__ import annotations

from typing import Mapping

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from hub.errors import Duplicate, Invalid, NotFound, TooManyRequests
from hub.extensions import db
from hub.services import account_recovery, accounts
from hub.web.redirects import next_or
from models import utcnow

bp = Blueprint("account", __name__, url_prefix="/compte")

# Enough for any person; a script that made more sees the newest here, and all through
# GET /api/v1/tokens.
TOKENS_SHOWN = 200


def _page(errors: Mapping[str, str] | None = None, error: str | None = None, status: int = 200,  # type: ignore[no-untyped-def]
          *, form: str = "password", values: Mapping[str, str] | None = None):
    user = current_user._get_current_object()
    tokens = accounts.newest_tokens(user, TOKENS_SHOWN)
    return render_template("account/index.html", tokens=tokens, now=utcnow(),
                           pending_email=account_recovery.pending_email(user),
                           values=values or {}, errors=errors or {}, error=error, form=form), status


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
        page, status = _page(errors=exc.fields, error=exc.message, status=exc.status, form="password")
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


@bp.post("/nom")
@login_required
def change_name():  # type: ignore[no-untyped-def]
    try:
        account_recovery.change_name(current_user._get_current_object(), request.form)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _page(errors=exc.fields, error=exc.message, status=exc.status, form="name", values=request.form)
    flash("Votre nom est changé.", "success")
    return redirect(url_for("account.index"))


@bp.post("/adresse")
@login_required
def change_email():  # type: ignore[no-untyped-def]
    """The new address gets a link; the account keeps the old one until it is followed."""
    user = current_user._get_current_object()
    try:
        email = account_recovery.request_email_change(user, request.form, request.remote_addr)
        db.session.commit()
    except (Invalid, Duplicate, TooManyRequests) as exc:
        db.session.rollback()
        page, status = _page(errors=exc.fields, error=exc.message, status=exc.status, form="email",
                             values={"email": request.form.get("email", "")})
        return page, status, exc.headers
    flash(f"Un message vient d'être envoyé à {email} : votre adresse changera quand vous aurez suivi "
          "son lien. D'ici là, votre compte garde l'adresse actuelle.", "info")
    return redirect(url_for("account.index"))


@bp.route("/verifier", methods=["GET", "POST"])
def verify():  # type: ignore[no-untyped-def]
    """The link of account.verify. GET only shows a button: mail scanners open links, and
    opening must not be what confirms."""
    token = request.values.get("token", "")
    if request.method == "GET":
        if account_recovery.valid_token("verify", token) is None:
            return render_template("auth/bad_link.html", what="Ce lien de confirmation",
                                   retry=url_for("account.index")), 422
        return render_template("account/verify.html", token=token)
    try:
        user = account_recovery.verify_email({"token": token})
        db.session.commit()
    except (Invalid, Duplicate) as exc:
        db.session.rollback()
        if isinstance(exc, Duplicate):
            flash(exc.message, "error")
            return redirect(url_for("account.index"))
        return render_template("auth/bad_link.html", what="Ce lien de confirmation",
                               retry=url_for("account.index")), 422
    flash(f"Votre adresse électronique est confirmée : {user.email}.", "success")
    return redirect(url_for("account.index") if current_user.is_authenticated else url_for("auth.login"))


@bp.post("/verifier/renvoyer")
@login_required
def resend_verification():  # type: ignore[no-untyped-def]
    user = current_user._get_current_object()
    if user.email_verified_at is not None:
        flash("Votre adresse électronique est déjà confirmée.", "info")
    elif account_recovery.send_verification(user):
        db.session.commit()
        flash(f"Un nouveau message vient d'être envoyé à {user.email}.", "success")
    else:
        flash("Plusieurs messages vous ont déjà été envoyés dans l'heure : vérifiez vos courriers "
              "indésirables, ou réessayez plus tard.", "warning")
    return redirect(next_or(url_for("account.index")))
