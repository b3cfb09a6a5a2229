"""CSV exports as French spreadsheets open them: UTF-8 with a byte order mark, `;`."""
from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable, Sequence

# A cell a spreadsheet would read as a formula (=, +, -, @, or a leading tab or carriage
# return before one): a place named `=HYPERLINK(...)` must stay text in the manager's
# export. Numbers written as text ("-4,1" for a longitude) stay numbers.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def safe_cell(value: Any) -> Any:
    """`value`, or for text that would run as a formula, the text behind a quote (OWASP)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
