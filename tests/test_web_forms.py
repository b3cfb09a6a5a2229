"""hub.web.forms.committed: a page's write is committed whole, or refused whole with its
message flashed."""
from __future__ import annotations

from flask import get_flashed_messages

from hub.errors import Invalid
from hub.extensions import db
from models import Place


def _name(slug: str) -> str:
    db.session.expire_all()
    return db.session.scalar(db.select(Place.name).where(Place.slug == slug))


def test_a_write_that_succeeds_is_committed_and_its_message_flashed(app, make):  # type: ignore[no-untyped-def]
    from hub.web.forms import committed

    make.place(slug="p", name="Avant")
    with app.test_request_context("/"):
        with committed("Enregistré.") as outcome:
            db.session.scalar(db.select(Place).where(Place.slug == "p")).name = "Après"
        assert outcome.ok and outcome.error is None
        assert get_flashed_messages(with_categories=True) == [("success", "Enregistré.")]
    db.session.rollback()
    assert _name("p") == "Après"


def test_a_refused_write_keeps_nothing_and_flashes_the_reason(app, make):  # type: ignore[no-untyped-def]
    from hub.web.forms import committed

    make.place(slug="p", name="Avant")
    with app.test_request_context("/"):
        with committed("Enregistré.") as outcome:
            db.session.scalar(db.select(Place).where(Place.slug == "p")).name = "Après"
            db.session.flush()
            raise Invalid("Le nom est invalide.", fields={"name": "Trop court."})
        assert not outcome.ok and outcome.error.fields == {"name": "Trop court."}
        assert get_flashed_messages(with_categories=True) == [("error", "Le nom est invalide.")]
        db.session.commit()  # what the request would still commit: not the refused change
    assert _name("p") == "Avant"


def test_a_refused_write_may_flash_its_own_sentence(app, make):  # type: ignore[no-untyped-def]
    from hub.web.forms import committed

    with app.test_request_context("/"):
        with committed(failure="Corrigez les champs signalés."):
            raise Invalid("Le nom est invalide.")
        assert get_flashed_messages(with_categories=True) == [("error", "Corrigez les champs signalés.")]
