"""The API fuzzed against its own OpenAPI description, with a manager's and a member's token.

A real server (`python app.py`) on the test database, seeded with one object of each kind
so that schemathesis reaches past the 404s; its CLI runs from a temporary directory (it
writes .hypothesis/ and .schemathesis/ there), bounded by --max-examples and a fixed seed.
"""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest

from hub.extensions import db
from tests.servers import server_process

# The three the contract asks for, and that a method not described is a 405 with `Allow`.
CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "response_schema_conformance",
    "unsupported_method", "allow_header_conformance",
])
MAX_EXAMPLES = 10
SEED = 16


@pytest.fixture
def seeded(make) -> dict:  # type: ignore[no-untyped-def]
    manager, member = make.user(), make.user()
    fabrique = make.fabrique(managers=[manager])
    tiers_lieu = make.place(members=[member])
    machine = make.resource(fabrique, kind="machine", capacity=2)
    training = make.resource(fabrique, kind="training", capacity=5)
    make.session(training)
    closure = make.closure(machine, start=datetime.now(timezone.utc) + timedelta(days=300))
    booking = make.booking(machine, tiers_lieu, user_id=member.id)
    seeded = {
        "manager": make.api_token(manager), "member": make.api_token(member),
        "slug": tiers_lieu.slug, "machine": machine.id, "training": training.id,
        "closure": closure.id, "booking": booking.id,
    }
    # The servers write too: the test's own transaction must not hold SQLite's lock.
    db.session.commit()
    db.session.close()
    return seeded


@pytest.fixture
def server(_schema: str, seeded: dict) -> Iterator[str]:
    with server_process(_schema) as base:
        yield base


def _config(seeded: dict) -> str:
    """Real ids for the path parameters; a training where only a training makes sense."""
    return f"""
[parameters]
"path.slug" = "{seeded['slug']}"
"path.resource_id" = {seeded['machine']}
"path.closure_id" = {seeded['closure']}
"path.booking_id" = {seeded['booking']}

[[operations]]
include-path-regex = "/(sessions|qualifications)$"
parameters = {{ "path.resource_id" = {seeded['training']} }}
"""


@pytest.mark.parametrize("role", ["manager", "member"])
def test_the_api_answers_as_its_openapi_description_says(server, seeded, tmp_path: Path, role):
    (tmp_path / "schemathesis.toml").write_text(_config(seeded))
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "--config-file", "schemathesis.toml",
        "--no-color", "run", f"{server}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {seeded[role]}",
        "--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
        "--workers", "1", "--request-timeout", "30",
    ]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-4000:]
