"""CSV cells that a spreadsheet would run as formulas stay text; numbers stay numbers."""
from __future__ import annotations

import csv
import io

import pytest

from hub.services.spreadsheet import csv_text, safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+33 1 23", "-cmd", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_starts_like_a_formula_is_quoted(text):  # type: ignore[no-untyped-def]
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["-4,1", "+2.5", "12", 3, -1.5, None, "Brest", ""])
def test_numbers_and_plain_text_are_left_alone(value):  # type: ignore[no-untyped-def]
    assert safe_cell(value) == value


def test_csv_text_quotes_formula_cells_in_rows_and_header():  # type: ignore[no-untyped-def]
    text = csv_text(["=titre"], [["=HYPERLINK(\"x\")", -4.1]])
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows == [["'=titre"], ["'=HYPERLINK(\"x\")", "-4.1"]]
