"""API: bookings."""
from hub.api import bp  # noqa: F401

SPEC: dict = {}
