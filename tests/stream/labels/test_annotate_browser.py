"""The annotation page in a real browser: Debian's headless chromium driven by selenium."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.stream.labels.conftest import TOKENS, Server, queue_items

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HOSTILE = '<img src=x onerror="window.pwned=1">late <b>again</b>'

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator:
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium'}")
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def test_sign_in_label_with_the_keyboard_and_see_kappa_change(
    annotate_server: Callable[..., Server], browser
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    server = annotate_server(labels_kappa_window=2, labels_kappa_min=0.8, labels_random_share=0.0)
    server.store.queue(
        queue_items({"t1": 0.5, "t2": 0.45, "t3": 0.58, "t4": 0.41}, texts={"t1": HOSTILE})
    )
    wait = WebDriverWait(browser, 15)
    text = lambda element_id: browser.find_element(By.ID, element_id).text  # noqa: E731

    def sign_in(name: str) -> None:
        browser.get(server.url + "/")
        browser.find_element(By.ID, "name").send_keys(name)
        browser.find_element(By.ID, "token").send_keys(TOKENS[name], Keys.ENTER)
        wait.until(lambda _: browser.find_element(By.ID, "panel").is_displayed())
        wait.until(lambda _: text("tweet") or browser.find_element(By.ID, "empty").is_displayed())

    def press(key: str) -> None:
        before = text("tweet")
        browser.find_element(By.TAG_NAME, "body").send_keys(key)
        wait.until(lambda _: text("tweet") != before or not text("tweet"))

    # a wrong token is refused on the page
    browser.get(server.url + "/")
    browser.find_element(By.ID, "name").send_keys("ann")
    browser.find_element(By.ID, "token").send_keys("guess", Keys.ENTER)
    wait.until(lambda _: "wrong token" in text("login-error"))

    sign_in("ann")
    # the hostile tweet is shown as text: no element injected, no script run
    assert text("tweet") == HOSTILE
    assert browser.find_elements(By.CSS_SELECTOR, "#tweet img") == []
    assert browser.execute_script("return window.pwned === undefined")
    assert text("kappa") == "n/a"
    for key in "npnp":  # t1 negative, t2 positive, t3 negative, t4 positive
        press(key)
    assert browser.find_element(By.ID, "empty").is_displayed()
    browser.find_element(By.ID, "signout").click()
    wait.until(lambda _: browser.find_element(By.ID, "login").is_displayed())

    sign_in("bob")
    assert text("tweet") == HOSTILE  # pairs are completed first, in answer order
    press("1")  # negative: agrees
    wait.until(lambda _: text("kappa") == "1.000")
    press("p")  # agrees
    press("p")  # t3: disagrees with ann's negative
    # the last 2 pairs (window 2): (positive, positive), (negative, positive):
    # observed 1/2, chance 1/2 * 0 + 1/2 * 1 = 1/2: kappa 0
    wait.until(lambda _: text("kappa") == "0.000")
    assert text("kappa-n") == "2"
    assert "ann / bob" in text("pairs")
    assert text("trust") == "disputed: 1, single: 1, trusted: 2"  # t1, t2: a complete batch
    trusted = server.store.snapshot(sources=["annotator"])
    assert sorted(trusted["tweet_id"]) == ["t1", "t2"]
    assert trusted.set_index("tweet_id").loc["t2", "label"] == "positive"
