"""Pages: register, log in, log out."""
from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.route("/connexion", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    return "TODO"


@bp.route("/inscription", methods=["GET", "POST"])
def register():  # type: ignore[no-untyped-def]
    return "TODO"


@bp.post("/deconnexion")
def logout():  # type: ignore[no-untyped-def]
    return "TODO"
