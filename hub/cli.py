"""Flask commands: create-user, import-fabriques, demo."""
from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    pass
