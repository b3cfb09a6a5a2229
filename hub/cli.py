"""Flask commands: create-user, import-fabriques, the demo network, and the mail worker."""
from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from hub.demo import demo_command
from hub.errors import DomainError
from hub.extensions import db
from hub.rules import labels
from models import GLOBAL_ROLES


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(import_fabriques_command)
    app.cli.add_command(import_places_command)
    app.cli.add_command(booking_group)
    app.cli.add_command(worker_command)
    app.cli.add_command(mail_test_command)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(loan_reminders_command)
    app.cli.add_command(analytics_group)
    app.cli.add_command(reports_command)


def fail(exc: DomainError) -> NoReturn:
    """End a command on a refused change: nothing written, the French message and its fields."""
    db.session.rollback()
    click.echo(f"Erreur : {exc.message}", err=True)
    for field, message in exc.fields.items():
        click.echo(f"  {field} : {message}", err=True)
    raise SystemExit(1)


@click.command("create-user")
@click.argument("email")
@click.option("--password", prompt="Mot de passe", hide_input=True, confirmation_prompt=True,
              help="Au moins 10 caractères (demandé s'il n'est pas donné).")
@click.option("--name", required=True, help="Nom affiché.")
@click.option("--role", type=click.Choice(GLOBAL_ROLES), default=None,
              help="Rôle global : admin ou anct.")
@with_appcontext
def create_user_command(email: str, password: str, name: str, role: str | None) -> None:
    """Create an account (optionally admin or ANCT)."""
    from hub.services import accounts

    try:
        user = accounts.register({"email": email, "password": password, "name": name}, role=role)
        db.session.commit()
    except DomainError as exc:
        fail(exc)
    suffix = f" ({labels.GLOBAL_ROLE[role]})" if role else ""
    click.echo(f"Compte créé : {user.email}{suffix}.")


@click.command("import-fabriques")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Valider et décrire l'import sans rien écrire.")
@with_appcontext
def import_fabriques_command(csv_file: Path, dry_run: bool) -> None:
    """Import labelled fabriques from a CSV file (see docs/import-fabriques.md).

    All or nothing: with a single bad row, nothing is imported.
    """
    from hub.services import places

    report = places.import_fabriques(csv_file.read_bytes(), dry_run=dry_run)
    _finish_import(report, dry_run, ("fabrique(s)", "inchangée(s)", "créée(s)", "mise(s) à jour"),
                   list_names=True)


def _finish_import(report: Any, dry_run: bool, words: tuple[str, str, str, str], *,
                   list_names: bool = False) -> None:
    """Say what an all-or-nothing import found, then roll back (errors, --dry-run) or
    commit. `words`: the thing imported, "unchanged", "created", "updated", agreed in
    French with it."""
    thing, unchanged, created, updated = words
    if report.ignored_columns:
        click.echo("Colonnes ignorées : " + ", ".join(report.ignored_columns), err=True)
    if report.errors:
        db.session.rollback()
        click.echo(f"{len(report.errors)} erreur(s) : rien n'a été importé.", err=True)
        for error in report.errors:
            click.echo(f"  {error}", err=True)
        raise SystemExit(1)
    counts = (f"{report.rows} ligne(s) : {len(report.created)} {thing} {{}}, "
              f"{len(report.updated)} {{}}, {len(report.unchanged)} {unchanged}.")
    if dry_run:
        db.session.rollback()
        click.echo("Simulation (--dry-run) : rien n'a été écrit.")
        click.echo(counts.format("à créer", "à mettre à jour"))
        if list_names:
            for name in report.created:
                click.echo(f"  + {name}")
            for name in report.updated:
                click.echo(f"  ~ {name}")
        return
    try:
        db.session.commit()
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        cause = getattr(exc, "orig", None) or exc
        click.echo(f"Erreur de la base de données, rien n'a été importé : {cause}", err=True)
        raise SystemExit(1) from None
    click.echo(counts.format(created, updated))


@click.command("import-places")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Valider et décrire l'import sans rien écrire.")
@with_appcontext
def import_places_command(csv_file: Path, dry_run: bool) -> None:
    """Create or update tiers-lieux from a CSV file in the "Lieux de médiation numérique"
    standard, matched by pivot (see docs/open-data.md). All or nothing."""
    import sys

    from tqdm import tqdm

    from hub.services.place_import import import_places

    def progress(rows, total):  # type: ignore[no-untyped-def]
        return tqdm(rows, total=total, desc="Vérification", unit=" ligne", file=sys.stderr, disable=None)

    report = import_places(csv_file.read_bytes(), dry_run=dry_run, progress=progress)
    _finish_import(report, dry_run, ("tiers-lieu(x)", "inchangé(s)", "créé(s)", "mis à jour"))


@click.group("booking")
def booking_group() -> None:
    """Change a booking from the command line, with the rights of a given user.

    Support staff use it when a fabrique phones in; the change is audited under that
    user, and live pages hear of it through the Redis message queue (REDIS_URL).
    """


def _change_booking(booking_id: int, email: str, change) -> None:  # type: ignore[no-untyped-def]
    from flask import current_app

    from hub.services import accounts, bookings, realtime

    realtime.bind_cli(current_app)
    user = accounts.user_by_email(email)
    if user is None:
        click.echo(f"Erreur : aucun compte pour {email}.", err=True)
        raise SystemExit(1)
    try:
        booking = change(bookings.get_visible_booking(user, booking_id), user)
        db.session.commit()
    except DomainError as exc:
        fail(exc)
    click.echo(f"Réservation n° {booking.id} : {labels.BOOKING_STATUS[booking.status]}.")


@booking_group.command("cancel")
@click.argument("booking_id", type=int)
@click.option("--as", "email", required=True, help="Email du compte au nom duquel annuler.")
@with_appcontext
def cancel_booking_command(booking_id: int, email: str) -> None:
    """Cancel a booking (frees its capacity, promotes the waitlist)."""
    from hub.services import bookings

    _change_booking(booking_id, email, bookings.cancel_booking)


@booking_group.command("confirm")
@click.argument("booking_id", type=int)
@click.option("--as", "email", required=True, help="Email du gestionnaire qui confirme.")
@with_appcontext
def confirm_booking_command(booking_id: int, email: str) -> None:
    """Confirm a pending booking."""
    from hub.services import bookings

    _change_booking(booking_id, email, bookings.confirm_booking)


@click.command("worker")
@click.option("--poll", type=float, default=1.0, show_default=True,
              help="Secondes entre deux recherches de messages à envoyer.")
@with_appcontext
def worker_command(poll: float) -> None:
    """Deliver the outbox until stopped (SIGTERM or Ctrl-C); any number may run at once."""
    import signal
    import threading

    from flask import current_app

    from hub.services.outbox import without_password
    from hub.worker import Worker, log_to_stderr

    log_to_stderr()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    target = current_app.config.get("MAIL_URL") or current_app.config["MAIL_DIR"]
    click.echo(f"Envoi des messages vers {without_password(target)} (arrêt : Ctrl-C).")
    Worker(current_app._get_current_object()).run(stop, poll=poll)  # type: ignore[attr-defined]
    click.echo("Envoi des messages arrêté.")


@click.command("mail-test")
@click.argument("email")
@click.option("--now", "deliver_now", is_flag=True,
              help="L'envoyer tout de suite depuis cette commande et afficher le résultat.")
@with_appcontext
def mail_test_command(email: str, deliver_now: bool) -> None:
    """Send a test message to EMAIL, to check the mail setup (MAIL_URL, MAIL_FROM)."""
    from flask import current_app

    from hub.services import outbox
    from hub.worker import Worker
    from models import OutboxMessage

    try:
        message = outbox.send_test_message(email)
        db.session.flush()
        # Read before the commit: reading after it would begin a transaction that holds
        # SQLite's write lock while the worker below waits for it.
        message_id, recipient = message.id, message.recipient
        db.session.commit()
    except DomainError as exc:
        fail(exc)
    if not deliver_now:
        click.echo(f"Message de test n° {message_id} mis en file pour {recipient} : "
                   "le processus d'envoi (python app.py ou flask --app app worker) le remettra.")
        return
    Worker(current_app._get_current_object()).run_once(ids=[message_id])  # type: ignore[attr-defined]
    message = db.session.get(OutboxMessage, message_id)
    if message.status == "sent":
        click.echo(f"Message de test n° {message_id} envoyé à {recipient}.")
        return
    if message.status == "failed":
        click.echo(f"Erreur : le serveur a refusé le message n° {message_id} : {message.last_error}", err=True)
    else:
        click.echo(f"Erreur : envoi du message n° {message_id} impossible pour l'instant "
                   f"({message.last_error}) ; il sera retenté.", err=True)
    raise SystemExit(1)


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Queue the reminders of bookings starting within 24 hours (the worker also does it
    every few minutes); a booking is reminded once, however often this runs."""
    from hub.services import booking_messages

    from hub.services import loans

    count = booking_messages.send_reminders()
    counts = loans.reminder_pass()
    db.session.commit()
    click.echo(f"{count} rappel(s) de réservation mis en file d'envoi ; prêts à rendre demain : "
               f"{counts['loan.due']} ; prêts en retard : {counts['loan.overdue']} ; "
               f"qualifications bientôt expirées : {counts['qualification.expiring']}.")


@click.command("loan-reminders")
@with_appcontext
def loan_reminders_command() -> None:
    """Send the loan and qualification messages that are due (each once)."""
    from hub.services import loans

    counts = loans.reminder_pass()
    db.session.commit()
    click.echo(f"Prêts à rendre demain : {counts['loan.due']} ; prêts en retard : {counts['loan.overdue']} ; "
               f"qualifications bientôt expirées : {counts['qualification.expiring']}.")


@click.group("analytics")
def analytics_group() -> None:
    """The network's maintained aggregates."""


@analytics_group.command("rebuild")
@with_appcontext
def analytics_rebuild_command() -> None:
    """Recompute the network's aggregates from the bookings."""
    import sys

    from tqdm import tqdm

    from hub.services import analytics

    with tqdm(total=analytics.counted_bookings(), unit=" réservations", file=sys.stderr) as bar:
        rows = analytics.rebuild(bar.update)
    db.session.commit()
    click.echo(f"Agrégats du réseau recalculés : {rows} lignes.")


@click.command("reports")
@click.option("--year", required=True, help="L'année des rapports (de 2019 à l'année prochaine).")
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path), help="Dossier où écrire les PDF.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Processus qui composent les PDF (par défaut : un par cœur).")
@click.option("--limit", type=click.IntRange(1), default=None,
              help="Seulement les N premières fabriques (par nom), pour un essai.")
@with_appcontext
def reports_command(year: str, out_dir: Path, jobs: int | None, limit: int | None) -> None:
    """Write the yearly PDF report of every labelled fabrique, and the network's."""
    import multiprocessing
    import os
    import time
    from concurrent.futures import ProcessPoolExecutor

    from flask import current_app
    from tqdm import tqdm

    from hub.db import read_only
    from hub.services import pdf, reports

    try:
        number = reports.parse_year(year)
    except DomainError as exc:
        fail(exc)
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = jobs or os.cpu_count() or 1
    started = time.perf_counter()
    # WeasyPrint, the fonts and the stylesheet are loaded once, here, before the workers
    # are forked (and before any connection is opened): each worker starts with them.
    pdf.warm_up()
    pool = None
    if jobs > 1:
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=pdf.start_worker,
                                   initargs=(current_app._get_current_object(),))  # type: ignore[attr-defined]
        # The first task forks every worker: now, while the parent holds no figures.
        pool.submit(pdf.warm_up).result()
    read_started = time.perf_counter()
    # One read of the year for every report, in a read transaction (on SQLite, a write
    # one would hold the database's lock, and every booking would wait, for the run).
    with read_only():
        data = reports.read_year(number)
        fabriques = reports.report_fabriques()[:limit]
        network = reports.network_report(data)
        tasks = [("network", network, reports.network_served_places(data), out_dir)]
        tasks += [("place", reports.place_report(data, place), None, out_dir) for place in fabriques]
        db.session.rollback()
    del data
    rendering_started = time.perf_counter()
    written = pool.map(pdf.write_report, tasks, chunksize=4) if pool else map(pdf.write_report, tasks)
    for _ in tqdm(written, total=len(tasks), desc="Rapports", unit="PDF"):
        pass
    if pool is not None:
        pool.shutdown()
    finished = time.perf_counter()
    plural = "s" if len(fabriques) > 1 else ""
    click.echo(f"{len(fabriques)} rapport{plural} de fabrique{plural} et celui du réseau écrits dans {out_dir}.")
    for name, seconds in (("Préparation", read_started - started),
                          ("Lecture de l'année", rendering_started - read_started),
                          ("PDF", finished - rendering_started)):
        click.echo(f"{name} : {seconds:.1f} s".replace(".", ","))
