"""Pages: manage."""
from flask import Blueprint

bp = Blueprint("manage", __name__)
