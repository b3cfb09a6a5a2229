"""ANCT pages and exports speak in plain words: names, French labels, months in words,
percentages; no slugs, codes or developer text. Walked on the demo network."""
from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from hub.demo import seed_demo
from hub.demo.common import ANCT_EMAIL, DEMO_PASSWORD
from hub.extensions import db
from models import Place

RAW = [
    (re.compile(r"fabrique_numerique|tiers_lieu"), "a place kind's code"),
    (re.compile(r"\bqpv\b"), "a territory's code"),
    (re.compile(r"\b20\d\d-(0[1-9]|1[0-2])\b"), "a month as YYYY-MM"),
    (re.compile(r"\d[,.]\d{4,}"), "a long decimal"),
    (re.compile(r"networkx|/api/v1|node-link|graine|Louvain, graine"), "developer text"),
]


class _Text(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if not self._hidden:
            self.parts.append(data)


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture(scope="module")
def demo_app(_schema):  # type: ignore[no-untyped-def]
    """The tiny demo network, seeded once for the module (the pages only read it)."""
    from hub import create_app
    from tests.conftest import _empty_all_tables

    app = create_app({"SQLALCHEMY_DATABASE_URI": _schema, "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "REDIS_URL": None})
    with app.app_context():
        _empty_all_tables()
        seed_demo("tiny", 3)
        db.session.commit()
        hubs = [s for s, k in db.session.execute(sa.select(Place.slug, Place.kind)) if k != "tiers_lieu"]
        slugs = set(db.session.scalars(sa.select(Place.slug)))
    yield app, sorted(hubs), slugs
    with app.app_context():
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def _pages(hubs: list[str]) -> list[str]:
    return ["/reseau", "/reseau/lieux", "/reseau/departements", "/reseau/region?region=53",
            "/reseau/region?region=84", "/reseau/structure", "/reseau/methode",
            f"/reseau/mon-lieu/{hubs[0]}", "/rapports", f"/rapports?lieu={hubs[0]}"]


def test_every_anct_page_speaks_in_plain_words(demo_app):
    app, hubs, slugs = demo_app
    client = app.test_client()
    client.post("/connexion", data={"email": ANCT_EMAIL, "password": DEMO_PASSWORD})
    slug_pattern = re.compile(r"\b(" + "|".join(re.escape(s) for s in slugs if "-" in s) + r")\b")
    for path in _pages(hubs):
        response = client.get(path)
        assert response.status_code == 200, path
        # The method states the Earth radius it uses, to the metre: a definition, not a figure.
        text = _visible(response.get_data(as_text=True)).replace("6 371,0088 km", "")
        for pattern, what in RAW + [(slug_pattern, "a place's slug")]:
            found = pattern.search(text)
            assert found is None, f"{path} shows {what}: …{text[max(0, found.start() - 60):found.end() + 60]}…"
        if path == "/reseau/lieux":
            # Shares read as percentages (inclusion, served by it alone).
            assert re.search(r"\d %", text)


@pytest.mark.parametrize("table", ["lieux", "territoires", "non-desservis", "passerelles", "mensuel"])
def test_exports_give_labels_and_keep_the_codes_in_columns_of_their_own(demo_app, table):
    app, hubs, _ = demo_app
    client = app.test_client()
    client.post("/connexion", data={"email": ANCT_EMAIL, "password": DEMO_PASSWORD})
    text = client.get(f"/reseau/export/{table}.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    code_columns = [i for i, h in enumerate(header) if h.startswith("Code")]
    assert code_columns and code_columns == list(range(len(header) - len(code_columns), len(header)))
    for row in rows[1:]:
        readable = " ".join(cell for i, cell in enumerate(row) if i not in code_columns and
                            header[i] != "Identifiant")
        # In a table a lone "rural" is a code: the label is "Rural".
        for pattern, what in RAW[:3] + [(re.compile(r"\b(rural|urbain)\b"), "a territory's code")]:
            assert pattern.search(readable) is None, f"{table}: {what} in {row}"
