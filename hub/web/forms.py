"""The request boundary of a page's write: commit once, or roll back and tell the user why."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from flask import flash

from hub.errors import DomainError
from hub.extensions import db


class Outcome:
    """What became of a write: `error` is the DomainError that refused it (None once
    committed); the block may set `success` to a message built from what it wrote."""

    def __init__(self, success: str | None) -> None:
        self.error: DomainError | None = None
        self.success = success

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def committed(success: str | None = None, *, failure: str | None = None,
              flash_error: bool = True) -> Iterator[Outcome]:
    """Run the block, then commit and flash `success`; on a DomainError, roll the block
    back (nothing of it is kept; the request ends without a commit) and flash the error's message (or `failure`), and let the page
    go on with `outcome.error` set. Anything else propagates: a bug is not a form error.

        with committed("La fermeture est enregistrée.") as outcome:
            resources_service.add_closure(res, current_user, data)
        if not outcome.ok:
            return page(errors=outcome.error.fields), 422
    """
    outcome = Outcome(success)
    try:
        # A savepoint, so that a refusal expires only what the block touched: the page
        # then renders the objects it already loaded without querying them again.
        with db.session.begin_nested():
            yield outcome
        db.session.commit()
    except DomainError as exc:
        outcome.error = exc
        if flash_error:
            flash(failure or exc.message, "error")
        return
    if outcome.success:
        flash(outcome.success, "success")
