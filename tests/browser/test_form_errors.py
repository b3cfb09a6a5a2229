"""A form sent with mistakes says so where the keyboard and the screen reader are (RGAA 11.10).

The page title starts with "Erreur :", the focus lands on the error summary, and each
entry of the summary is a link that takes the focus to its field.
"""
from __future__ import annotations

from playwright.sync_api import Page, expect

from hub.extensions import db

FOCUSED_ID = "() => document.activeElement && document.activeElement.id"


def summary_links(page: Page) -> dict[str, str]:
    links = page.locator("#form-errors a")
    return {links.nth(i).get_attribute("href") or "": links.nth(i).inner_text() for i in range(links.count())}


def test_a_failed_login_focuses_a_summary_that_leads_to_the_fields(page: Page, make) -> None:  # type: ignore[no-untyped-def]
    email = make.user(email="margot@tiers-lieu.example").email
    db.session.commit()  # the server reads the account from its own connection
    page.goto("/connexion")
    page.fill("#f-email", email)
    page.fill("#f-password", "pas le bon mot de passe")
    page.locator("form:has(#f-password) [type=submit]").click()

    expect(page).to_have_title("Erreur : Se connecter — Maillage, le réseau des Fabriques de territoire")
    assert page.evaluate(FOCUSED_ID) == "form-errors"
    expect(page.locator("#form-errors")).to_contain_text("Adresse électronique ou mot de passe incorrect.")
    assert summary_links(page) == {"#f-email": "Adresse électronique : vérifiez l'adresse.",
                                   "#f-password": "Mot de passe : vérifiez le mot de passe."}
    expect(page.locator("#f-email")).to_have_value(email)
    expect(page.locator("#f-password")).to_have_attribute("aria-invalid", "true")
    page.locator('#form-errors a[href="#f-password"]').click()
    assert page.evaluate(FOCUSED_ID) == "f-password"


def test_a_registration_with_mistakes_lists_each_field_in_a_focused_summary(page: Page, make) -> None:  # type: ignore[no-untyped-def]
    make.user(email="deja@tiers-lieu.example")
    db.session.commit()
    page.goto("/inscription")
    page.fill("#f-email", "pas-une-adresse")
    page.fill("#f-password", "court")
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page).to_have_title("Erreur : Créer un compte — Maillage, le réseau des Fabriques de territoire")
    assert page.evaluate(FOCUSED_ID) == "form-errors"
    links = summary_links(page)
    assert list(links) == ["#f-name", "#f-email", "#f-password"], links
    assert links["#f-name"].startswith("Nom et prénom : ")
    assert links["#f-password"].startswith("Mot de passe : ")
    for href in links:
        # Each link has its field, marked invalid and described by its own message.
        field = page.locator(href)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", f"{href[1:]}-error")
    page.locator('#form-errors a[href="#f-email"]').click()
    assert page.evaluate(FOCUSED_ID) == "f-email"
    expect(page.locator("#f-email")).to_have_value("pas-une-adresse")

    # Mended, the same form goes through: no summary left behind.
    page.fill("#f-name", "Margot Membre")
    page.fill("#f-email", "margot@tiers-lieu.example")
    page.fill("#f-password", "un mot de passe assez long")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/lieux/")
    expect(page.locator("#form-errors")).to_have_count(0)
    assert not page.title().startswith("Erreur")
