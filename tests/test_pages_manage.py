"""The back office: resources and rules, requests, attendance, closures, calendar, CSV export."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from hub.extensions import db
from hub.timeutil import PARIS
from models import Booking, Closure, Qualification, Resource, TrainingSession, utcnow


def next_monday() -> date:
    today = datetime.now(PARIS).date()
    return today + timedelta(days=7 - today.weekday())


def paris(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS)


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    manager = make.user(email="gestion@fab.fr", name="Gérante")
    member = make.user(email="membre@tl.fr", name="Membre")
    other_manager = make.user(email="autre@fab.fr", name="Autre gérant")
    fab = make.fabrique(name="Fabrique de Brest", slug="fab-brest", managers=[manager])
    other = make.fabrique(name="Fabrique de Lyon", slug="fab-lyon", departement="69", managers=[other_manager])
    tiers = make.place(name="Tiers-lieu du Port", slug="tl-port", members=[member])
    laser = make.resource(fab, name="Découpeuse laser", requires_approval=True)
    return {"manager": manager, "member": member, "fab": fab, "other": other, "tiers": tiers, "laser": laser}


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_back_office_lists_the_hubs_i_manage(client, world, auth):  # type: ignore[no-untyped-def]
    auth.login("gestion@fab.fr")
    page = client.get("/gestion/").get_data(as_text=True)
    assert "Fabrique de Brest" in page
    assert "Fabrique de Lyon" not in page


def test_non_manager_gets_403_on_someone_elses_hub(client, world, auth):  # type: ignore[no-untyped-def]
    auth.login("autre@fab.fr")
    assert client.get("/gestion/lieux/fab-brest").status_code == 403
    assert client.get(f"/gestion/ressources/{world['laser'].id}").status_code == 403
    assert client.get("/gestion/lieux/fab-brest/reservations.csv").status_code == 403
    assert client.post(f"/gestion/ressources/{world['laser'].id}/archiver").status_code == 403
    db.session.expire_all()
    assert db.session.get(Resource, world["laser"].id).archived_at is None


def test_member_gets_403_on_the_back_office(client, world, auth):  # type: ignore[no-untyped-def]
    auth.login("membre@tl.fr")
    assert client.get("/gestion/lieux/fab-brest").status_code == 403


def test_back_office_needs_a_login(client, world):  # type: ignore[no-untyped-def]
    response = client.get("/gestion/lieux/fab-brest")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_manager_creates_a_resource_with_rules(client, world, auth):  # type: ignore[no-untyped-def]
    auth.login("gestion@fab.fr")
    response = client.post("/gestion/lieux/fab-brest/ressources/nouvelle", data={
        "kind": "space", "name": "Atelier bois", "description": "Établis et outillage",
        "capacity": "6", "requires_approval": "1", "opening_hours_rows": "1",
        "hours-0-day": "mon", "hours-0-from": "09:00", "hours-0-to": "12:00",
        "hours-1-day": "mon", "hours-1-from": "14:00", "hours-1-to": "18:00",
        "max_hours_per_week": "10", "min_duration": "1", "min_duration_unit": "hours",
        "max_duration": "4", "max_duration_unit": "hours", "min_notice": "24", "min_notice_unit": "hours",
    })
    assert response.status_code == 302
    resource = db.session.scalar(sa.select(Resource).where(Resource.name == "Atelier bois"))
    assert resource.capacity == 6 and resource.requires_approval
    assert resource.opening_hours == {"mon": [["09:00", "12:00"], ["14:00", "18:00"]]}
    assert resource.max_hours_per_week == 10 and resource.min_notice_minutes == 1440
    public = client.get(f"/ressources/{resource.id}").get_data(as_text=True)
    assert "Durée maximale : 4 h" in public and "1 jour à l&#39;avance" in public


def test_bad_capacity_shows_the_error_beside_the_field(client, world, auth):  # type: ignore[no-untyped-def]
    auth.login("gestion@fab.fr")
    before = count(Resource)
    response = client.post("/gestion/lieux/fab-brest/ressources/nouvelle", data={
        "kind": "machine", "name": "Imprimante 3D", "capacity": "zéro",
    })
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-capacity-error"' in page
    assert 'value="Imprimante 3D"' in page
    assert count(Resource) == before


def test_manager_edits_rules_and_unticking_removes_approval(client, world, auth):  # type: ignore[no-untyped-def]
    auth.login("gestion@fab.fr")
    form = client.get(f"/gestion/ressources/{world['laser'].id}/modifier").get_data(as_text=True)
    assert 'value="Découpeuse laser"' in form
    response = client.post(f"/gestion/ressources/{world['laser'].id}/modifier",
                           data={"name": "Laser 60 W", "capacity": "1", "description": ""})
    assert response.status_code == 302
    db.session.expire_all()
    laser = db.session.get(Resource, world["laser"].id)
    assert laser.name == "Laser 60 W" and not laser.requires_approval


def test_manager_archives_a_resource(client, world, auth):  # type: ignore[no-untyped-def]
    auth.login("gestion@fab.fr")
    done = client.post(f"/gestion/ressources/{world['laser'].id}/archiver", follow_redirects=True)
    assert "est retirée du catalogue" in done.get_data(as_text=True)
    assert "Découpeuse laser" not in client.get("/ressources").get_data(as_text=True)


def test_manager_confirms_a_request(client, world, auth, make):  # type: ignore[no-untyped-def]
    booking = make.booking(world["laser"], world["tiers"], status="pending", user=world["member"],
                           start_at=paris(next_monday(), 10))
    auth.login("gestion@fab.fr")
    page = client.get("/gestion/demandes").get_data(as_text=True)
    assert 'id="pending-requests"' in page and f'data-booking="{booking.id}"' in page
    assert client.post(f"/gestion/reservations/{booking.id}/confirmer").status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"


def test_refusal_reason_reaches_the_member(client, world, auth, make):  # type: ignore[no-untyped-def]
    booking = make.booking(world["laser"], world["tiers"], status="pending", user=world["member"],
                           start_at=paris(next_monday(), 10))
    auth.login("gestion@fab.fr")
    client.post(f"/gestion/reservations/{booking.id}/refuser", data={"reason": "Machine en révision"})
    auth.logout()
    auth.login("membre@tl.fr")
    page = client.get("/mes-reservations").get_data(as_text=True)
    assert "refusée" in page
    assert "Machine en révision" in page


def test_other_hub_manager_cannot_confirm(client, world, auth, make):  # type: ignore[no-untyped-def]
    booking = make.booking(world["laser"], world["tiers"], status="pending",
                           start_at=paris(next_monday(), 10))
    auth.login("autre@fab.fr")
    assert f'data-booking="{booking.id}"' not in client.get("/gestion/demandes").get_data(as_text=True)
    client.post(f"/gestion/reservations/{booking.id}/confirmer")
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "pending"


def test_manager_records_attendance(client, world, auth, make):  # type: ignore[no-untyped-def]
    past = utcnow() - timedelta(days=2)
    booking = make.booking(world["laser"], world["tiers"], start_at=past, end_at=past + timedelta(hours=2))
    auth.login("gestion@fab.fr")
    assert f'data-booking="{booking.id}"' in client.get("/gestion/lieux/fab-brest").get_data(as_text=True)
    client.post(f"/gestion/reservations/{booking.id}/presence", data={"attended": "1", "beneficiaries": "7"})
    db.session.expire_all()
    saved = db.session.get(Booking, booking.id)
    assert saved.attended is True and saved.beneficiaries == 7


def test_manager_adds_and_removes_a_closure(client, world, auth):  # type: ignore[no-untyped-def]
    monday = next_monday()
    auth.login("gestion@fab.fr")
    response = client.post(f"/gestion/ressources/{world['laser'].id}/fermetures", data={
        "closure_start": f"{monday}T08:00", "closure_end": f"{monday}T18:00", "closure_reason": "Maintenance",
    })
    assert response.status_code == 302
    closure = db.session.scalar(sa.select(Closure))
    assert closure.reason == "Maintenance"
    public = client.get(f"/ressources/{world['laser'].id}?semaine={monday}").get_data(as_text=True)
    assert f'data-state="closed" data-date="{monday}" data-start="{monday}T10:00"' in public
    assert client.post(f"/gestion/fermetures/{closure.id}/supprimer").status_code == 302
    assert count(Closure) == 0


def test_bad_closure_keeps_values_and_shows_error(client, world, auth):  # type: ignore[no-untyped-def]
    monday = next_monday()
    auth.login("gestion@fab.fr")
    response = client.post(f"/gestion/ressources/{world['laser'].id}/fermetures", data={
        "closure_start": f"{monday}T18:00", "closure_end": f"{monday}T08:00", "closure_reason": "Congés",
    })
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-closure_end-error"' in page and 'value="Congés"' in page
    # The summary takes the focus and links to the field; the title says it first.
    assert "<title>Erreur : " in page and 'href="#f-closure_end"' in page and "autofocus" in page
    assert count(Closure) == 0


def test_manager_opens_a_session_and_grants_a_qualification(client, world, auth, make):  # type: ignore[no-untyped-def]
    training = make.resource(world["fab"], name="Formation laser", kind="training", capacity=8)
    monday = next_monday()
    auth.login("gestion@fab.fr")
    response = client.post(f"/gestion/ressources/{training.id}/sessions",
                           data={"start": f"{monday}T09:00", "end": f"{monday}T12:00", "seats": "6"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(TrainingSession.seats)) == 6
    response = client.post(f"/gestion/ressources/{training.id}/qualifications", data={"email": "membre@tl.fr"})
    assert response.status_code == 302
    assert count(Qualification) == 1
    unknown = client.post(f"/gestion/ressources/{training.id}/qualifications", data={"email": "x@nulle.part"})
    assert unknown.status_code == 422 and 'id="f-email-error"' in unknown.get_data(as_text=True)
    assert 'href="#f-email"' in unknown.get_data(as_text=True)


def test_week_calendar_shows_the_resource_bookings(client, world, auth, make):  # type: ignore[no-untyped-def]
    monday = next_monday()
    make.booking(world["laser"], world["tiers"], start_at=paris(monday + timedelta(days=2), 9),
                 end_at=paris(monday + timedelta(days=2), 11))
    auth.login("gestion@fab.fr")
    page = client.get(f"/gestion/ressources/{world['laser'].id}/calendrier?semaine={monday}").get_data(as_text=True)
    row = page.split(f'data-date="{monday + timedelta(days=2)}"')[1].split("</tr>")[0]
    assert "09:00–11:00" in row and "Tiers-lieu du Port" in row


def test_csv_export_is_excel_friendly(client, world, auth, make):  # type: ignore[no-untyped-def]
    monday = next_monday()
    make.booking(world["laser"], world["tiers"], start_at=paris(monday, 10), end_at=paris(monday, 12),
                 beneficiaries=4, user=world["member"])
    make.booking(make.resource(world["other"], name="Ailleurs"), world["tiers"], start_at=paris(monday, 10))
    auth.login("gestion@fab.fr")
    response = client.get("/gestion/lieux/fab-brest/reservations.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Référence;Ressource;Type;Lieu bénéficiaire")
    assert len(lines) == 2
    fields = lines[1].split(";")
    assert fields[1] == "Découpeuse laser" and fields[3] == "Tiers-lieu du Port"
    assert fields[5] == f"{monday:%d/%m/%Y} 10:00" and fields[7] == "2,00"
    assert fields[9] == "4" and fields[10] == "confirmée" and fields[13] == "Membre"


def test_csv_export_keeps_a_formula_looking_place_name_as_text(client, world, auth, make):  # type: ignore[no-untyped-def]
    # A spreadsheet would run `=HYPERLINK(...)` as a formula when the manager opens the file.
    attacker = make.place(name='=HYPERLINK("https://exemple.invalid","Cliquez")', slug="tl-piege")
    make.booking(world["laser"], attacker, start_at=paris(next_monday(), 14))
    auth.login("gestion@fab.fr")
    lines = client.get("/gestion/lieux/fab-brest/reservations.csv").get_data().decode("utf-8-sig").splitlines()
    row = next(line for line in lines[1:] if "HYPERLINK" in line)
    assert row.split(";")[3].startswith("\"'=HYPERLINK(")
