from playwright.sync_api import Page


def test_home_page_is_in_french(page: Page) -> None:
    page.goto("/")

    assert page.locator("html").get_attribute("lang") == "fr"
