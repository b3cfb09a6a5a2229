"""CSV exports as French spreadsheets open them: UTF-8 with a byte order mark, `;`."""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
