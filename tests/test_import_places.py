"""flask import-places: tiers-lieux from a file in the "Lieux de médiation numérique"
standard, matched by pivot, all or nothing, errors row by row."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import sqlalchemy as sa

from hub.extensions import db
from models import Place

EXAMPLE = Path(__file__).resolve().parent / "data" / "lieux-mediation-numerique-exemple.csv"


def example_rows() -> tuple[list[str], dict[str, str]]:
    reader = csv.DictReader(io.StringIO(EXAMPLE.read_text(encoding="utf-8")))
    return list(reader.fieldnames or []), next(reader)


def write(tmp_path: Path, rows: list[dict[str, str]], columns: list[str] | None = None,
          encoding: str = "utf-8") -> str:
    header, _ = example_rows()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "lieux.csv"
    path.write_text(out.getvalue(), encoding=encoding)
    return str(path)


def row(**changes: str) -> dict[str, str]:
    return {**example_rows()[1], **changes}


def places() -> list[Place]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Place).order_by(Place.name)))


def test_the_standards_example_file_imports_as_a_tiers_lieu(runner, make):
    result = runner.invoke(args=["import-places", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "1 tiers-lieu(x) créé(s)" in result.output
    (place,) = places()
    assert (place.name, place.kind, place.siret) == ("Anonymal", "tiers_lieu", "43493312300029")
    assert (place.commune, place.insee, place.departement, place.region) == ("Reims", "51454", "51", "44")
    assert place.address == "12 BIS RUE DE LECLERCQ, Le patio du bois de l'Aulne"
    assert (place.phone, place.email) == ("+33180059880", "contact@laquincaillerie.tl")
    assert place.territory == "urbain"  # Reims: 177,000 inhabitants


def test_dry_run_reports_and_writes_nothing(runner, make):
    result = runner.invoke(args=["import-places", str(EXAMPLE), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "rien n'a été écrit" in result.output and "1 tiers-lieu(x) à créer" in result.output
    assert places() == []


def test_reimporting_updates_the_place_with_that_pivot(runner, make, tmp_path):
    make.place(name="Ancien nom", siret="43493312300029", territory="qpv", lat=49.0, lon=4.0)
    result = runner.invoke(args=["import-places", write(tmp_path, [row(latitude="", longitude="")])])
    assert result.exit_code == 0, result.output
    assert "1 mis à jour" in result.output
    (place,) = places()
    assert (place.name, place.insee, place.phone) == ("Anonymal", "51454", "+33180059880")
    assert place.territory == "qpv"  # what the file does not say stays
    assert (place.lat, place.lon) == (49.25752, 4.03185)  # a new commune: its position
    assert "0 mis à jour, 1 inchangé" in runner.invoke(
        args=["import-places", write(tmp_path, [row(latitude="", longitude="")])]).output


def test_a_commune_without_its_insee_code_is_found_by_name_and_postal_code(runner, make, tmp_path):
    result = runner.invoke(args=["import-places", write(tmp_path, [row(code_insee="")])])
    assert result.exit_code == 0, result.output
    assert places()[0].insee == "51454"


def test_bad_rows_are_each_reported_and_nothing_is_imported(runner, make, tmp_path):
    rows = [
        row(pivot="73282932000074", nom="Bon lieu"),
        row(pivot="43493312300028"),  # wrong SIRET key
        row(pivot="W51123456", nom="Assoc"),  # RNA too short
        row(pivot="73282932000074", nom="Doublon"),
        row(pivot="W511234567", code_insee="51999"),
        row(pivot="W511234568", code_postal="75011"),
        row(pivot="W511234569", telephone="12"),
    ]
    result = runner.invoke(args=["import-places", write(tmp_path, rows)])
    assert result.exit_code == 1
    assert "rien n'a été importé" in result.output
    assert "ligne 3, colonne « pivot » : SIRET invalide" in result.output
    assert "ligne 4, colonne « pivot » : Numéro RNA invalide" in result.output
    assert "ligne 5, colonne « pivot » : doublon de la ligne 2" in result.output
    assert "ligne 6, colonne « code_insee » : Code INSEE inconnu" in result.output
    assert "ligne 7, colonne « code_postal »" in result.output
    assert "ligne 8, colonne « telephone »" in result.output
    assert places() == []


def test_a_fabriques_pivot_is_refused(runner, make, tmp_path):
    make.fabrique(name="Konk Ar Lab", siret="43493312300029")
    result = runner.invoke(args=["import-places", str(EXAMPLE)])
    assert result.exit_code == 1
    assert "fabrique « Konk Ar Lab »" in result.output
    assert [p.name for p in places()] == ["Konk Ar Lab"]


def test_a_file_in_another_encoding_is_refused_as_a_whole(runner, make, tmp_path):
    result = runner.invoke(args=["import-places", write(tmp_path, [row(nom="Médiathèque")], encoding="latin-1")])
    assert result.exit_code == 1
    assert "n'est pas en UTF-8" in result.output
    assert places() == []


def test_a_file_without_a_required_column_is_refused(runner, make, tmp_path):
    header, _ = example_rows()
    result = runner.invoke(args=["import-places", write(tmp_path, [row()], [c for c in header if c != "adresse"])])
    assert result.exit_code == 1
    assert "colonnes manquantes : adresse" in result.output
    assert places() == []


def test_our_own_open_data_file_imports_back_unchanged(runner, client, make, tmp_path):
    make.place(name="La Ruche", insee="29232", commune="Quimper", rna="W291234567",
               address="3 place Saint-Corentin", postal_code="29000", lat=47.99, lon=-4.1)
    path = tmp_path / "export.csv"
    path.write_bytes(client.get("/opendata/lieux-mediation-numerique.csv").data)
    result = runner.invoke(args=["import-places", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 tiers-lieu(x) créé(s), 0 mis à jour, 1 inchangé" in result.output


def test_import_fabriques_checks_insee_codes_against_the_reference(runner, make, tmp_path):
    path = tmp_path / "fabriques.csv"
    path.write_text("insee;commune;name;kind;wave;territory;lat;lon\n"
                    "29999;Nulle part;Fab;fabrique;2019-07-18;urbain;47.8;-3.9\n", encoding="utf-8")
    result = runner.invoke(args=["import-fabriques", str(path)])
    assert result.exit_code == 1
    assert "colonne « insee » : Code INSEE inconnu" in result.output
