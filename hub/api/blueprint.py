"""The API's one blueprint, /api/v1. Route modules attach their views to it; hub/api/__init__.py
imports them all."""
from flask import Blueprint

from hub.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The API takes no cookie as a credential (Bearer tokens only): no cross-site form can act
# through it, so it needs no CSRF token.
csrf.exempt(bp)
