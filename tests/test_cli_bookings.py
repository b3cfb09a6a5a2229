"""`flask booking cancel|confirm ID --as EMAIL`: changes with that user's rights."""
from __future__ import annotations

from hub.extensions import db
from models import AuditEntry, Booking


def test_a_host_manager_confirms_a_pending_booking_from_the_command_line(runner, make):
    manager = make.user(email="gestion@fabrique.example")
    hub = make.fabrique(managers=[manager])
    booking = make.booking(make.resource(hub), make.place(), status="pending")

    result = runner.invoke(args=["booking", "confirm", str(booking.id), "--as", manager.email])

    assert result.exit_code == 0, result.output
    assert "confirmée" in result.output
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"
    entry = db.session.query(AuditEntry).filter_by(action="booking.confirmed", object_id=booking.id).one()
    assert entry.actor_id == manager.id


def test_the_command_line_refuses_a_user_without_the_right_and_changes_nothing(runner, make):
    stranger = make.user(email="passant@example.org")
    hub = make.fabrique(managers=[make.user()])
    booking = make.booking(make.resource(hub), make.place(), status="confirmed")

    result = runner.invoke(args=["booking", "cancel", str(booking.id), "--as", stranger.email])

    assert result.exit_code == 1
    assert "Erreur" in result.output
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"


def test_the_command_line_names_an_unknown_account(runner, make):
    result = runner.invoke(args=["booking", "cancel", "1", "--as", "personne@example.org"])
    assert result.exit_code == 1
    assert "aucun compte" in result.output
