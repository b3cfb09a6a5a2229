"""Flask commands: create-user, import-fabriques, and the demo network."""
from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from hub.demo import demo_command

    app.cli.add_command(demo_command)
