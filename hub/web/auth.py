"""Pages: register, log in, log out, the forgotten password, and the invitation link."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from hub.errors import Duplicate, Forbidden, Invalid, TooManyRequests, Unauthenticated
from hub.extensions import db
from hub.rules import labels
from hub.services import account_recovery, accounts, membership
from hub.web.redirects import safe_next

bp = Blueprint("auth", __name__)


@bp.route("/connexion", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(next_url or url_for("main.landing"))
        return render_template("auth/login.html", values={}, errors={}, next=next_url)
    values = {"email": request.form.get("email", "")}
    try:
        user = accounts.authenticate(request.form.get("email"), request.form.get("password"),
                                     request.remote_addr)
    except (Unauthenticated, TooManyRequests) as exc:
        db.session.rollback()
        return render_template("auth/login.html", values=values, next=next_url, error=exc.message,
                               errors=_login_fields(exc)), exc.status, exc.headers
    login_user(user)
    flash(f"Bienvenue, {user.name}.", "success")
    return redirect(next_url or url_for("main.landing"))


def _login_fields(exc: Unauthenticated | TooManyRequests) -> dict[str, str]:
    """The fields the error summary links to. One message for an unknown address and a
    wrong password, so both are to check; an empty one is named. A throttled attempt
    is nobody's typing: no field."""
    if isinstance(exc, TooManyRequests):
        return {}
    return {name: missing if not (request.form.get(name) or "").strip() else check
            for name, missing, check in (
                ("email", "indiquez votre adresse électronique.", "vérifiez l'adresse."),
                ("password", "indiquez votre mot de passe.", "vérifiez le mot de passe."))}


@bp.route("/inscription", methods=["GET", "POST"])
def register():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return render_template("auth/register.html", values={}, errors={})
    try:
        user, _ = membership.register(request.form)
        db.session.commit()
    except (Invalid, Duplicate) as exc:
        db.session.rollback()
        return render_template("auth/register.html", values=request.form, errors=exc.fields,
                               error=exc.message), exc.status
    login_user(user)
    flash("Votre compte est créé. Un message vous attend pour confirmer votre adresse ; vous pouvez "
          "dès maintenant créer ou rejoindre un lieu.", "success")
    return redirect(url_for("places.mine"))


@bp.post("/deconnexion")
def logout():  # type: ignore[no-untyped-def]
    # Every session of the account ends, not only this browser's: what someone who logs
    # out of a session they suspect was stolen needs.
    if current_user.is_authenticated:
        accounts.end_all_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash("Vous êtes déconnecté·e, ici et sur tous les appareils où votre compte était ouvert.", "info")
    return redirect(url_for("main.home"))


# --- forgotten password -----------------------------------------------------------------------

RESET_ASKED = ("Si un compte existe pour cette adresse, un message vient de lui être envoyé avec un lien "
               "valable une heure pour choisir un nouveau mot de passe.")


@bp.route("/mot-de-passe/oubli", methods=["GET", "POST"])
def forgot_password():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return render_template("auth/forgot.html", values={}, errors={})
    try:
        account_recovery.request_reset(request.form)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return render_template("auth/forgot.html", values=request.form, errors=exc.fields,
                               error=exc.message), exc.status
    # The same answer whether or not the address has an account.
    flash(RESET_ASKED, "info")
    return redirect(url_for("auth.login"))


@bp.route("/mot-de-passe/nouveau", methods=["GET", "POST"])
def new_password():  # type: ignore[no-untyped-def]
    token = request.values.get("token", "")
    if request.method == "GET":
        if account_recovery.reset_token_user(token) is None:
            return render_template("auth/bad_link.html", what="Ce lien pour choisir un nouveau mot de passe",
                                   retry=url_for("auth.forgot_password")), 422
        return render_template("auth/new_password.html", token=token, errors={})
    try:
        account_recovery.confirm_reset(request.form)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        if "token" in exc.fields:
            return render_template("auth/bad_link.html", what="Ce lien pour choisir un nouveau mot de passe",
                                   retry=url_for("auth.forgot_password")), 422
        return render_template("auth/new_password.html", token=token, errors=exc.fields,
                               error=exc.message), exc.status
    logout_user()
    flash("Votre mot de passe est changé. Vos sessions et vos jetons d'accès à l'API sont fermés : "
          "connectez-vous avec le nouveau mot de passe.", "success")
    return redirect(url_for("auth.login"))


# --- invitation link --------------------------------------------------------------------------

@bp.route("/invitation", methods=["GET", "POST"])
def invitation():  # type: ignore[no-untyped-def]
    """The link of place.invitation: the invited person creates their account (verified, in
    the place at once), or, logged in with the invited address, accepts."""
    token = request.values.get("token", "")
    invited = membership.invitation(token)
    if invited is None:
        return render_template("auth/bad_link.html", what="Cette invitation",
                               retry=None), 422
    signed_in_as = current_user.email if current_user.is_authenticated else None
    context = {"invited": invited, "token": token, "role_label": labels.MEMBER_ROLE[invited.role].lower(),
               "signed_in_as": signed_in_as, "values": {}, "errors": {}}
    if request.method == "GET":
        return render_template("auth/invitation.html", **context)
    try:
        if current_user.is_authenticated:
            user = current_user._get_current_object()
            membership.accept_invitation(user, {"token": token})
        else:
            user, _ = membership.register({**request.form.to_dict(), "email": invited.email,
                                           "invitation": token})
        db.session.commit()
    except (Invalid, Duplicate, Forbidden) as exc:
        db.session.rollback()
        return render_template("auth/invitation.html", **{**context, "values": request.form,
                                                          "errors": exc.fields, "error": exc.message}), exc.status
    if not current_user.is_authenticated:
        login_user(user)
    flash(f"Bienvenue dans « {invited.place.name} » : vous en êtes maintenant {context['role_label']}.", "success")
    return redirect(url_for("places.show", slug=invited.place.slug))
