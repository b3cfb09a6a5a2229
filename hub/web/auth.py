"""Pages: register, log in, log out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from hub.errors import Duplicate, Invalid, TooManyRequests, Unauthenticated
from hub.extensions import db
from hub.services import accounts
from hub.web.redirects import safe_next

bp = Blueprint("auth", __name__)


@bp.route("/connexion", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(next_url or url_for("main.landing"))
        return render_template("auth/login.html", values={}, next=next_url)
    values = {"email": request.form.get("email", "")}
    try:
        user = accounts.authenticate(request.form.get("email"), request.form.get("password"),
                                     request.remote_addr)
    except (Unauthenticated, TooManyRequests) as exc:
        db.session.rollback()
        return render_template("auth/login.html", values=values, next=next_url,
                               error=exc.message), exc.status, exc.headers
    login_user(user)
    flash(f"Bienvenue, {user.name}.", "success")
    return redirect(next_url or url_for("main.landing"))


@bp.route("/inscription", methods=["GET", "POST"])
def register():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return render_template("auth/register.html", values={}, errors={})
    try:
        user = accounts.register(request.form)
        db.session.commit()
    except (Invalid, Duplicate) as exc:
        db.session.rollback()
        return render_template("auth/register.html", values=request.form, errors=exc.fields,
                               error=exc.message), exc.status
    login_user(user)
    flash("Votre compte est créé. Vous pouvez maintenant créer ou rejoindre un lieu.", "success")
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
