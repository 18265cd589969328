import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_to_agenda_to_login(live_server, page, assert_accessible):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).is_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Agenda").click()
    page.wait_for_url("**/agenda/")
    assert page.get_by_role("heading", level=1).inner_text() == "Agenda"
    assert_accessible(page)

    page.get_by_role("link", name="Se connecter").click()
    page.wait_for_url("**/comptes/login/")
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion"
    assert page.get_by_label("Courriel").is_visible()
    assert page.get_by_label("Mot de passe").is_visible()
    assert_accessible(page)
    assert not page.console_errors, page.console_errors  # no CSP violation, no script error


def test_skip_link_reaches_the_main_content(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu principal")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"


def test_pages_fit_a_phone_screen(browser, live_server, screenshot_dir):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(screenshot_dir / "home-phone.png"), full_page=True)
    context.close()
