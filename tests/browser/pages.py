"""Steps the browser journeys share."""
from __future__ import annotations

from playwright.sync_api import Page

from tests.factories import PASSWORD


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the login page and wait until it has sent us on."""
    page.goto("/connexion")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(lambda url: "/connexion" not in url)
