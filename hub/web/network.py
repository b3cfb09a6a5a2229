"""Pages: network."""
from flask import Blueprint

bp = Blueprint("network", __name__)
