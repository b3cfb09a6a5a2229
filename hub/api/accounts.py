"""API: accounts, tokens, /me."""
from hub.api import bp  # noqa: F401

SPEC: dict = {}
