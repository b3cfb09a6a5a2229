"""The demo network: `flask --app app demo [--scale small|national] [--seed N] [--if-empty]`.

Deterministic: every choice is drawn from one `random.Random(seed)` (never the global
generator), so a seed always gives the same places, users, resources, sessions and
bookings. Dates are the one thing not fixed: the calendar is laid out relative to
today's date at midnight, Europe/Paris, so that the demo always has past bookings (with
attendance recorded) and upcoming ones. Two runs on the same day with the same seed give
identical databases; on another day, the same network shifted in time.

The network keeps the booking service's rules (hub.rules: exclusivity, weekly quota,
opening hours, peak use), and its audit log reads as if the services had made it: the
same actions, actors and payloads, at the instants of the changes. Capacity is never
oversold, by construction: each resource's schedule is cut into non-overlapping slots,
training seats are filled up to the session's seats, then requests go to the waitlist.
The PostgreSQL EXCLUDE constraint and the CHECK constraints hold on the generated data.

Rows are written with bulk Core inserts and explicit ids (sequences are moved past them
on PostgreSQL). The national network (1,000,000 bookings, for benchmarks) writes only
the seeding's own audit entry.

Modules: `data` (the tables), `common` (accounts, scales, time, records), `store`
(rows, audit entries, bulk writes), `places` and `network` (places, people, who books
where), `resources`, `schedule` (slots), `bookings` (one booking and its history),
`fill` (every resource's calendar), `builder` (the order of it all).
"""
from __future__ import annotations

from datetime import date

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from hub.demo.builder import build
from hub.demo.common import ADMIN_EMAIL, DEMO_DOMAIN, DEMO_PASSWORD, SCALES, demo_accounts, today_in_paris
from hub.extensions import db
from hub.services import analytics
from models import Place, User

class DemoError(click.ClickException):
    pass


def has_places() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Place)) > 0


def seed_demo(scale: str = "small", seed: int = 1, *, today: date | None = None,
              progress: bool = False) -> dict[str, int]:
    """Seed the demo network into an empty database; flushes, the caller commits."""
    if scale not in SCALES:
        raise DemoError(f"Échelle inconnue : {scale}.")
    if has_places():
        raise DemoError(
            "La base contient déjà des lieux : le réseau de démonstration s'installe "
            "dans une base vide (utilisez --if-empty pour ne rien faire dans ce cas)."
        )
    taken = db.session.scalars(sa.select(User.email).where(User.email.like(f"%{DEMO_DOMAIN}"))).first()
    if taken:
        raise DemoError(f"Un compte de démonstration existe déjà ({taken}).")
    counts = build(SCALES[scale], seed, today or today_in_paris(), progress)
    # The bookings were bulk-written, past the analytics' own bookkeeping.
    analytics.rebuild()
    return counts


@click.command("demo")
@click.option("--scale", type=click.Choice(["small", "national", "tiny"]), default="small",
              show_default=True, help="small : ~30 fabriques ; national : 360 fabriques, 1 000 000 réservations ; tiny : pour les tests.")
@click.option("--seed", type=int, default=1, show_default=True, help="Graine du tirage (même graine, même réseau).")
@click.option("--if-empty", is_flag=True, help="Ne rien faire si la base contient déjà des lieux.")
@with_appcontext
def demo_command(scale: str, seed: int, if_empty: bool) -> None:
    """Seed the demo network (deterministic for a seed; dates relative to today)."""
    if if_empty and has_places():
        click.echo("La base contient déjà des lieux : réseau de démonstration non installé.")
        if db.session.scalar(sa.select(User.id).where(User.email == ADMIN_EMAIL)) is not None:
            _print_accounts()
        return
    try:
        counts = seed_demo(scale, seed, progress=scale == "national")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    click.echo(
        f"Réseau de démonstration installé ({scale}, graine {seed}) : "
        f"{counts.get('places', 0)} lieux, {counts.get('resources', 0)} ressources, "
        f"{counts.get('training_sessions', 0)} sessions, {counts.get('bookings', 0)} réservations, "
        f"{counts.get('users', 0)} comptes."
    )
    _print_accounts()


def _print_accounts() -> None:
    click.echo(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
    for role, email, _ in demo_accounts():
        click.echo(f"  {role:<52} {email}")
