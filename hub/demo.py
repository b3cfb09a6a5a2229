"""The demo network: `flask --app app demo [--scale small|national] [--seed N]`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Seed the demo network."""
