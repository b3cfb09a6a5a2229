"""Outgoing mail through the outbox, delivered to a real SMTP server (aiosmtpd).

Each test checks what reaches the server: the message, once, or nothing.
"""
from __future__ import annotations

import email
import email.policy
import logging
import os
import ssl
import subprocess
import sys
import threading
import time
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Iterator

import jinja2
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from hub.extensions import db
from hub.services import outbox
from hub import worker
from hub.worker import LEASE, Worker, start_in_process
from models import OutboxMessage, utcnow
from tests.servers import ROOT, free_port, server_process

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Maillage//FR\r\nEND:VCALENDAR\r\n"


class Inbox:
    """The SMTP server's handler: keeps what it accepts, or answers `reply` to DATA."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], EmailMessage]] = []
        self.reply: str | None = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply:
            return self.reply
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [m["Message-ID"] for _, _, m in self.received]


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self, **options: Any) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                      server_hostname="smtp.test", **options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(smtp: SmtpServer, tmp_path: Path) -> dict[str, Any]:
    return {"MAIL_URL": smtp.url, "MAIL_DIR": str(tmp_path / "mail"), "PUBLIC_URL": "https://maillage.test"}


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1 that the worker trusts (SSL_CERT_FILE);
    yields the server's TLS context."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    worker._tls_context.cache_clear()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    yield context
    worker._tls_context.cache_clear()


def deliver(app: Any, **options: Any) -> int:
    """One worker pass. The test's own transaction ends first: on SQLite it may hold the
    write lock the worker needs."""
    db.session.rollback()
    return Worker(app).run_once(**options)


def queue(to: str = "camille@example.org", **options: Any) -> int:
    text, html = outbox.render("test", mail_url="smtp://test", sent_at=utcnow())
    row = outbox.queue_message(options.pop("event", "mail.test"), to, "Maillage : message de test",
                               text, html, **options)
    db.session.flush()
    return row.id


def outbox_row(message_id: int) -> OutboxMessage:
    db.session.rollback()
    row = db.session.get(OutboxMessage, message_id)
    assert row is not None
    db.session.rollback()
    return row


def test_a_committed_message_reaches_the_server_with_its_headers_parts_and_attachment(app, make, smtp):  # type: ignore[no-untyped-def]
    message_id = queue(
        "camille@example.org", event="booking.confirmed", booking_id=42,
        headers={"List-Unsubscribe": "<https://maillage.test/desabonnement?t=x>"},
        attachments=[outbox.Attachment("reservation-42.ics", "text/calendar", ICS)],
    )
    db.session.commit()

    assert deliver(app) == 1

    [(sender, recipients, message)] = smtp.inbox.received
    assert sender == "ne-pas-repondre@maillage.localhost"
    assert recipients == ["camille@example.org"]
    assert message["From"] == "Maillage <ne-pas-repondre@maillage.localhost>"
    assert message["To"] == "camille@example.org"
    assert message["Subject"] == "Maillage : message de test"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Maillage-Event"] == "booking.confirmed"
    assert message["X-Maillage-Booking"] == "42"
    assert message["List-Unsubscribe"] == "<https://maillage.test/desabonnement?t=x>"
    assert message["Message-ID"].endswith("@maillage.localhost>")
    assert message["Date"].datetime is not None
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Ceci est un message de test de Maillage" in text
    assert "https://maillage.test" in text
    assert '<html lang="fr">' in html and "#000091" in html
    assert "<img" not in html
    # Mail clients drop <style>: the DSFR colours reach each element's own style attribute.
    assert "<style" not in html and 'style="' in html and "border-top: 4px solid #000091" in html
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "reservation-42.ics"
    assert "BEGIN:VCALENDAR" in attachment.get_content()

    row = outbox_row(message_id)
    assert (row.status, row.attempts, row.claimed_by) == ("sent", 1, None)
    assert row.sent_at is not None
    assert deliver(app, now=utcnow() + timedelta(days=2)) == 0
    assert len(smtp.inbox.received) == 1


@pytest.mark.parametrize("quoted, password", [("mot%2Fde%2Bpasse", "mot/de+passe"),
                                               ("s%C3%A9cret%20%C3%A0%20100%25", "sécret à 100%")])
def test_smtp_url_uses_starttls_and_logs_in_with_its_credentials(app, make, smtp, certificate, quoted, password):  # type: ignore[no-untyped-def]
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == password.encode())

    smtp.stop()
    smtp.start(tls_context=certificate, require_starttls=True, authenticator=authenticator,
               auth_required=True, auth_require_tls=True)
    app.config["MAIL_URL"] = f"smtp://maillage:{quoted}@127.0.0.1:{smtp.port}"
    queue()
    db.session.commit()

    assert deliver(app) == 1
    assert logins == [(b"maillage", password.encode())]
    assert len(smtp.inbox.received) == 1


def test_smtps_url_speaks_tls_from_the_start(app, make, smtp, certificate):  # type: ignore[no-untyped-def]
    smtp.stop()
    smtp.start(ssl_context=certificate)
    app.config["MAIL_URL"] = f"smtps://127.0.0.1:{smtp.port}"
    queue()
    db.session.commit()

    assert deliver(app) == 1
    assert len(smtp.inbox.received) == 1


def test_a_rolled_back_change_sends_nothing(app, make, smtp):  # type: ignore[no-untyped-def]
    queue("annule@example.org")
    db.session.rollback()
    savepoint = db.session.begin_nested()
    queue("dans-un-savepoint@example.org")
    savepoint.rollback()
    queue("garde@example.org")
    db.session.commit()

    assert deliver(app) == 1
    assert [r for _, [r], _ in smtp.inbox.received] == ["garde@example.org"]
    assert db.session.scalars(sa.select(OutboxMessage.recipient)).all() == ["garde@example.org"]


def test_a_message_that_cannot_be_rendered_fails_when_queued(app, make):  # type: ignore[no-untyped-def]
    with pytest.raises(jinja2.UndefinedError):
        outbox.render("test", mail_url="smtp://test")  # no sent_at


def test_mail_server_down_then_up_the_message_is_retried_and_delivered_once(app, make, smtp):  # type: ignore[no-untyped-def]
    smtp.stop()
    message_id = queue()
    db.session.commit()

    assert deliver(app) == 1
    row = outbox_row(message_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at > utcnow()
    assert deliver(app) == 0  # not due yet: retries wait

    smtp.start()
    later = row.next_attempt_at + timedelta(seconds=1)
    assert deliver(app, now=later) == 1
    assert deliver(app, now=later + timedelta(hours=1)) == 0
    assert len(smtp.inbox.received) == 1
    assert outbox_row(message_id).status == "sent"


def test_a_5xx_answer_is_final_and_keeps_the_error(app, make, smtp):  # type: ignore[no-untyped-def]
    smtp.inbox.reply = "550 5.1.1 Mailbox unavailable"
    message_id = queue()
    db.session.commit()

    assert deliver(app) == 1
    row = outbox_row(message_id)
    assert row.status == "failed"
    assert row.last_error.startswith("550 5.1.1 Mailbox unavailable")
    smtp.inbox.reply = None
    assert deliver(app, now=utcnow() + timedelta(days=1)) == 0
    assert smtp.inbox.received == []


def test_a_4xx_answer_is_retried_with_growing_delays(app, make, smtp):  # type: ignore[no-untyped-def]
    smtp.inbox.reply = "451 4.7.1 Greylisted, try again later"
    message_id = queue()
    db.session.commit()

    now = utcnow()
    delays = []
    for _ in range(3):
        assert deliver(app, now=now) == 1
        row = outbox_row(message_id)
        assert row.status == "pending"
        assert row.last_error.startswith("451 4.7.1")
        delays.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert delays[0] < delays[1] < delays[2]

    smtp.inbox.reply = None
    assert deliver(app, now=now) == 1
    assert len(smtp.inbox.received) == 1
    assert outbox_row(message_id).attempts == 4


def test_retries_go_on_for_24_hours_then_the_message_fails(app, make, smtp):  # type: ignore[no-untyped-def]
    smtp.stop()
    message_id = queue()
    db.session.commit()
    created = outbox_row(message_id).created_at

    assert deliver(app, now=created + timedelta(hours=23, minutes=59)) == 1
    assert outbox_row(message_id).status == "pending"
    assert deliver(app, now=created + timedelta(hours=24, minutes=1)) == 1
    row = outbox_row(message_id)
    assert row.status == "failed"
    assert "ConnectionRefusedError" in row.last_error


def _race(app, workers: int, count: int, smtp: SmtpServer) -> None:  # type: ignore[no-untyped-def]
    for n in range(count):
        queue(f"personne{n}@example.org")
    db.session.commit()
    db.session.rollback()
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        worker = Worker(app, name=name, batch=3)
        try:
            barrier.wait()
            while worker.run_once():
                pass
        except BaseException as exc:  # noqa: BLE001  (reported by the test below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []


def test_two_workers_racing_over_50_messages_deliver_each_exactly_once(app, make, smtp):  # type: ignore[no-untyped-def]
    _race(app, 2, 50, smtp)

    ids = smtp.inbox.message_ids()
    assert len(ids) == 50
    assert len(set(ids)) == 50
    assert sorted(r for _, [r], _ in smtp.inbox.received) == sorted(f"personne{n}@example.org" for n in range(50))
    statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
    assert statuses == ["sent"] * 50


def test_two_worker_processes_deliver_each_message_exactly_once(app, make, smtp, tmp_path):  # type: ignore[no-untyped-def]
    for n in range(50):
        queue(f"personne{n}@example.org")
    db.session.commit()
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], MAIL_URL=smtp.url,
               SECRET_KEY="tests-only-secret")
    env.pop("REDIS_URL", None)
    logs = [open(tmp_path / f"worker{i}.log", "w+") for i in range(2)]  # noqa: SIM115
    procs = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker", "--poll", "0.2"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT) for log in logs]
    try:
        deadline = time.monotonic() + 120
        while len(smtp.inbox.received) < 50 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)  # time for a duplicate to arrive, if any
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)
        output = []
        for log in logs:
            log.seek(0)
            output.append(log.read())
            log.close()
    ids = smtp.inbox.message_ids()
    assert len(ids) == 50, output
    assert len(set(ids)) == 50
    assert all(proc.returncode == 0 for proc in procs), output
    assert all("Envoi des messages arrêté." in text for text in output)


def test_messages_of_a_worker_that_died_after_claiming_them_are_delivered_after_its_lease(app, make, smtp):  # type: ignore[no-untyped-def]
    message_id = queue()
    db.session.commit()
    # A real process claims the message and dies without a word.
    script = (
        "import os; from hub import create_app; from hub.worker import Worker; from models import utcnow\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    token, claimed = Worker(app).claim(utcnow())\n"
        "    assert len(claimed) == 1\n"
        "os._exit(0)\n"
    )
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY="tests-only-secret")
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=120)
    assert outbox_row(message_id).claimed_until is not None

    assert deliver(app) == 0  # its lease holds
    assert deliver(app, now=utcnow() + LEASE + timedelta(seconds=1)) == 1
    assert len(smtp.inbox.received) == 1
    assert outbox_row(message_id).status == "sent"


def test_without_mail_url_each_message_is_written_as_an_eml_file(app, make, smtp, caplog, monkeypatch):  # type: ignore[no-untyped-def]
    # Alembic's logging set-up (migrations/env.py, run by earlier tests in this process)
    # disables the loggers that existed then.
    monkeypatch.setattr(logging.getLogger("hub.worker"), "disabled", False)
    app.config["MAIL_URL"] = None
    message_id = queue(booking_id=7)
    db.session.commit()

    with caplog.at_level("INFO", logger="hub.worker"):
        assert deliver(app) == 1

    [path] = list(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    assert path.name.endswith(f"-{message_id}.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["X-Maillage-Booking"] == "7"
    assert message["To"] == "camille@example.org"
    assert str(path) in caplog.text
    assert smtp.inbox.received == []
    assert outbox_row(message_id).status == "sent"


def test_the_in_process_worker_is_woken_by_the_commit(app, make, smtp):  # type: ignore[no-untyped-def]
    # A poll far longer than the wait below: only the commit's wake-up can deliver in time.
    stop = start_in_process(app, poll=120)
    try:
        time.sleep(0.5)  # past its first look at the outbox, now waiting
        queue()
        db.session.commit()
        committed = time.monotonic()
        while not smtp.inbox.received and time.monotonic() - committed < 10:
            time.sleep(0.01)
        elapsed = time.monotonic() - committed
    finally:
        stop()
    assert len(smtp.inbox.received) == 1
    assert elapsed < 5


def test_python_app_py_delivers_what_other_processes_commit_within_seconds(app, make, smtp, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MAIL_URL", smtp.url)
    with server_process(app.config["SQLALCHEMY_DATABASE_URI"]):
        queue()
        db.session.commit()
        committed = time.monotonic()
        while not smtp.inbox.received and time.monotonic() - committed < 15:
            time.sleep(0.05)
        elapsed = time.monotonic() - committed
    assert len(smtp.inbox.received) == 1
    assert elapsed < 10


def test_mail_test_command_delivers_a_test_message(app, runner, make, smtp):  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["mail-test", "admin@example.org", "--now"])

    assert result.exit_code == 0, result.output
    assert "envoyé à admin@example.org" in result.output
    [(_, recipients, message)] = smtp.inbox.received
    assert recipients == ["admin@example.org"]
    assert message["X-Maillage-Event"] == "mail.test"
    assert smtp.url in message.get_body(("plain",)).get_content()


def test_mail_test_command_refuses_a_malformed_address(app, runner, make):  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["mail-test", "pas-une-adresse"])

    assert result.exit_code == 1
    assert "Adresse électronique invalide." in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_mail_test_command_says_when_the_server_refuses(app, runner, make, smtp):  # type: ignore[no-untyped-def]
    smtp.inbox.reply = "554 5.7.1 Relay denied"
    result = runner.invoke(args=["mail-test", "admin@example.org", "--now"])

    assert result.exit_code == 1
    assert "554 5.7.1 Relay denied" in result.output


def test_admins_see_failed_deliveries_and_retry_them(app, client, auth, make, smtp):  # type: ignore[no-untyped-def]
    make.user(email="admin@example.org", role="admin")
    smtp.inbox.reply = "550 5.1.1 Mailbox unavailable"
    message_id = queue("inconnu@example.org")
    db.session.commit()
    deliver(app)
    pending_id = queue("attente@example.org")
    db.session.commit()
    db.session.rollback()

    auth.login("admin@example.org")
    page = client.get("/admin/envois/").get_data(as_text=True)
    assert "inconnu@example.org" in page and "550 5.1.1 Mailbox unavailable" in page
    assert "attente@example.org" in page
    assert f'action="/admin/envois/{message_id}/relancer"' in page
    assert f'action="/admin/envois/{pending_id}/relancer"' not in page

    response = client.post(f"/admin/envois/{message_id}/relancer", follow_redirects=True)
    assert response.status_code == 200
    assert "remis dans la file" in response.get_data(as_text=True)
    assert outbox_row(message_id).status == "pending"

    smtp.inbox.reply = None
    assert deliver(app) == 2
    assert sorted(r for _, [r], _ in smtp.inbox.received) == ["attente@example.org", "inconnu@example.org"]


def test_retrying_a_message_that_did_not_fail_changes_nothing(app, client, auth, make, smtp):  # type: ignore[no-untyped-def]
    make.user(email="admin@example.org", role="admin")
    message_id = queue()
    db.session.commit()
    deliver(app)

    auth.login("admin@example.org")
    response = client.post(f"/admin/envois/{message_id}/relancer", follow_redirects=True)
    assert "pas en échec" in response.get_data(as_text=True)
    assert client.post("/admin/envois/999999/relancer", follow_redirects=True).status_code == 200
    assert outbox_row(message_id).status == "sent"
    assert len(smtp.inbox.received) == 1


def test_only_admins_see_the_deliveries_page(app, client, auth, make):  # type: ignore[no-untyped-def]
    make.user(email="anct@example.org", role="anct")
    make.user(email="membre@example.org")
    message_id = queue()
    db.session.commit()

    assert client.get("/admin/envois/").status_code == 302  # to the login page
    for email_address in ("anct@example.org", "membre@example.org"):
        auth.login(email_address)
        assert client.get("/admin/envois/").status_code == 403
        assert client.post(f"/admin/envois/{message_id}/relancer").status_code == 403
        auth.logout()


def test_retrying_without_the_form_token_is_refused(app, client, auth, make, smtp):  # type: ignore[no-untyped-def]
    make.user(email="admin@example.org", role="admin")
    smtp.inbox.reply = "550 5.1.1 Mailbox unavailable"
    message_id = queue()
    db.session.commit()
    deliver(app)
    auth.login("admin@example.org")
    app.config["WTF_CSRF_ENABLED"] = True

    assert client.post(f"/admin/envois/{message_id}/relancer").status_code == 400
    assert outbox_row(message_id).status == "failed"


def test_mail_settings_come_from_the_environment_with_the_contract_defaults(monkeypatch):  # type: ignore[no-untyped-def]
    from hub.config import Config

    for name in ("PUBLIC_URL", "MAIL_URL", "MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8123")
    config = Config()
    assert config.PUBLIC_URL == "http://0.0.0.0:8123"
    assert config.MAIL_URL is None
    assert config.MAIL_FROM == "Maillage <ne-pas-repondre@maillage.localhost>"

    monkeypatch.setenv("PUBLIC_URL", "https://maillage.example.org/")
    monkeypatch.setenv("MAIL_URL", "smtps://u:p@smtp.example.org:465")
    monkeypatch.setenv("MAIL_FROM", "Réseau <contact@example.org>")
    config = Config()
    assert config.PUBLIC_URL == "https://maillage.example.org"
    assert config.MAIL_URL == "smtps://u:p@smtp.example.org:465"
    assert config.MAIL_FROM == "Réseau <contact@example.org>"
