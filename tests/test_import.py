"""flask import-fabriques: all or nothing, row-by-row report, dry run, re-import."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from hub.extensions import db
from models import AuditEntry, Place

ROOT = Path(__file__).resolve().parent.parent
HEADER = "insee;commune;name;kind;wave;territory;lat;lon;legal_form;subsidy_eur;website;description\n"
GOOD_ROWS = (
    "29039;Concarneau;Konk Ar Lab;fabrique;2019-07-18;urbain;47.87;-3.92;association;150000;https://konkarlab.bzh;FabLab\n"
    "30028;Bagnols-sur-Cèze;Les Escanaux;fabrique_numerique;2020-01-31;qpv;44.16;4.62;;;;\n"
)


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "fabriques.csv"
    path.write_text(text, encoding=encoding)
    return str(path)


def places() -> list[Place]:
    return list(db.session.scalars(sa.select(Place).order_by(Place.name)))


def test_a_good_file_imports_every_fabrique(runner, make, tmp_path):
    result = runner.invoke(args=["import-fabriques", write(tmp_path, HEADER + GOOD_ROWS)])
    assert result.exit_code == 0, result.output
    imported = places()
    assert [p.name for p in imported] == ["Konk Ar Lab", "Les Escanaux"]
    konk, escanaux = imported
    assert (konk.departement, konk.region, konk.kind, konk.slug) == ("29", "53", "fabrique", "konk-ar-lab")
    assert konk.label_wave.isoformat() == "2019-07-18" and konk.subsidy_eur == 150000
    assert (escanaux.departement, escanaux.territory, escanaux.kind) == ("30", "qpv", "fabrique_numerique")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 2


def test_a_comma_delimited_file_with_a_bom_imports(runner, make, tmp_path):
    text = (HEADER + GOOD_ROWS).replace(";", ",")
    result = runner.invoke(args=["import-fabriques", write(tmp_path, text, "utf-8-sig")])
    assert result.exit_code == 0, result.output
    assert len(places()) == 2


def test_a_file_with_two_bad_rows_reports_both_and_imports_nothing(runner, make, tmp_path):
    text = (
        HEADER + GOOD_ROWS
        + "99999;Nulle part;Fabrique fantôme;fabrique;2019-07-18;urbain;47.8;-3.9;;;;\n"
        + "29039;Concarneau;Trop au nord;fabrique;2019-07-18;urbain;120;-3.9;;;;\n"
    )
    result = runner.invoke(args=["import-fabriques", write(tmp_path, text)])
    assert result.exit_code != 0
    assert "rien n'a été importé" in result.output
    assert "ligne 4" in result.output and "insee" in result.output
    assert "ligne 5" in result.output and "« lat »" in result.output
    assert places() == []


def test_errors_name_the_file_columns(runner, make, tmp_path):
    text = HEADER + "29039;Concarneau;;tiers_lieu;18/07/2019;montagne;47.8;-3.9;;;;\n"
    result = runner.invoke(args=["import-fabriques", write(tmp_path, text)])
    assert result.exit_code != 0
    for column in ("name", "kind", "wave", "territory"):
        assert f"ligne 2, colonne « {column} »" in result.output
    assert places() == []


def test_missing_columns_are_reported(runner, make, tmp_path):
    result = runner.invoke(args=["import-fabriques", write(tmp_path, "insee;name\n29039;X\n")])
    assert result.exit_code != 0
    assert "colonnes manquantes" in result.output and "wave" in result.output


def test_a_file_that_is_not_utf8_is_refused(runner, make, tmp_path):
    result = runner.invoke(args=["import-fabriques", write(tmp_path, HEADER + GOOD_ROWS, "latin-1")])
    assert result.exit_code != 0
    assert "UTF-8" in result.output
    assert places() == []


def test_a_row_repeated_in_the_file_is_an_error(runner, make, tmp_path):
    text = HEADER + GOOD_ROWS + GOOD_ROWS.splitlines(keepends=True)[0]
    result = runner.invoke(args=["import-fabriques", write(tmp_path, text)])
    assert result.exit_code != 0
    assert "doublon de la ligne 2" in result.output


def test_dry_run_reports_and_writes_nothing(runner, make, tmp_path):
    result = runner.invoke(args=["import-fabriques", write(tmp_path, HEADER + GOOD_ROWS), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2 fabrique(s) à créer" in result.output
    assert places() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_reimporting_updates_instead_of_duplicating(runner, make, tmp_path):
    path = write(tmp_path, HEADER + GOOD_ROWS)
    assert runner.invoke(args=["import-fabriques", path]).exit_code == 0
    result = runner.invoke(args=["import-fabriques", path])
    assert result.exit_code == 0, result.output
    assert "2 inchangée(s)" in result.output
    changed = HEADER + GOOD_ROWS.replace("150000", "200000")
    result = runner.invoke(args=["import-fabriques", write(tmp_path, changed)])
    assert "1 mise(s) à jour" in result.output
    imported = places()
    assert len(imported) == 2
    assert imported[0].subsidy_eur == 200000 and imported[0].slug == "konk-ar-lab"
    assert imported[0].website == "https://konkarlab.bzh"


def test_the_documented_sample_file_imports(runner, make):
    result = runner.invoke(args=["import-fabriques", str(ROOT / "docs" / "fabriques-sample.csv")])
    assert result.exit_code == 0, result.output
    assert len(places()) == 3
