"""One French label per enum value, worded the same wherever a user reads it."""
from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from hub.rules import labels
from models import (
    BOOKING_STATUSES,
    GLOBAL_ROLES,
    LEGAL_FORMS,
    MEMBER_ROLES,
    PLACE_KINDS,
    RESOURCE_KINDS,
    TERRITORIES,
)


@pytest.mark.parametrize("values, table", [
    (BOOKING_STATUSES, labels.BOOKING_STATUS),
    (RESOURCE_KINDS, labels.RESOURCE_KIND),
    (PLACE_KINDS, labels.PLACE_KIND),
    (TERRITORIES, labels.TERRITORY),
    (LEGAL_FORMS, labels.LEGAL_FORM),
    (MEMBER_ROLES, labels.MEMBER_ROLE),
    (GLOBAL_ROLES, labels.GLOBAL_ROLE),
])
def test_every_value_of_every_enum_has_one_label(values, table):
    assert set(table) == set(values)
    assert len(set(table.values())) == len(table)


def test_an_unknown_value_reads_as_itself():
    assert labels.label(labels.RESOURCE_KIND, "drone") == "drone"
    assert labels.label(labels.RESOURCE_KIND, None) == ""


@pytest.fixture
def pending(make):  # type: ignore[no-untyped-def]
    manager = make.user(email="gestion@fab.fr")
    member = make.user(email="membre@tl.fr")
    make.user(email="anct@example.org", role="anct")
    hub = make.fabrique(slug="fab-brest", managers=[manager])
    tiers = make.place(slug="tl-port", members=[member])
    laser = make.resource(hub, name="Découpeuse laser", requires_approval=True)
    return make.booking(laser, tiers, status="pending",
                        start=datetime.now(timezone.utc) + timedelta(days=3))


def test_a_pending_booking_reads_the_same_on_my_bookings_and_in_the_export(client, auth, pending):
    wording = labels.BOOKING_STATUS["pending"]
    auth.login("membre@tl.fr")
    page = client.get("/mes-reservations").get_data(as_text=True)
    assert re.search(r'data-status="pending">\s*' + re.escape(html.escape(wording, quote=True)), page)
    auth.logout()
    auth.login("gestion@fab.fr")
    export = client.get("/gestion/lieux/fab-brest/reservations.csv").get_data().decode("utf-8-sig")
    assert export.splitlines()[1].split(";")[10] == wording


def test_the_live_feed_gets_its_status_labels_from_the_page(client, auth, pending):
    auth.login("anct@example.org")
    page = client.get("/reseau").get_data(as_text=True)
    found = re.search(r"data-status-labels='([^']*)'", page)
    assert found and json.loads(html.unescape(found.group(1))) == labels.BOOKING_STATUS


def test_months_read_as_words() -> None:
    assert labels.month_label("2026-06") == "juin 2026"
    assert labels.month_label("2025-12") == "décembre 2025"
    assert labels.month_label("2026-13") == "2026-13"
