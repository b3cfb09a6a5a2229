"""The JSON API, /api/v1: one blueprint (hub/api/blueprint.py), a module per area of the
contract. This package only wires them: importing it attaches every route to `bp`."""
from hub.api import (accounts, bookings, errors, membership, network, notifications, openapi, places,  # noqa: F401
                     reports, resources, sharing)
from hub.api.blueprint import bp

__all__ = ["bp"]
