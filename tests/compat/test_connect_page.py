"""The hosted connect page in a real browser: Debian's Chromium driven through WebDriver (selenium),
no JavaScript of the page's own (there is none), accessibility checked with axe-core in the same
browser.

A product creates a connection without credentials, gets an activation link, and sends its
customer there; the customer pastes a MyUnisoft key (a refused one first), unticks a folder,
confirms, and lands back on the product's `redirect_url` with Chift's parameters. The connection
then serves the folders kept and refuses the other one. A used link and an expired link are refused.

Environment (set by .ci/run):
  CHROMIUM_BIN, CHROMEDRIVER_BIN  default /usr/bin/chromium and /usr/bin/chromedriver
  AXE_JS                          path of axe.min.js (axe-core from the npm registry); when unset,
                                  `npm pack axe-core@AXE_VERSION` fetches it into a temporary dir
  CONNECT_SCREENSHOTS             a directory: the page's states are saved there as PNG files
"""

from __future__ import annotations

import hashlib
import http.server
import os
import shutil
import sqlite3
import subprocess
import tarfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Iterator

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import Gateway, _psql

AXE_VERSION = "4.14.1"
WAIT_S = 10.0


# ---- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def axe_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    given = os.environ.get("AXE_JS")
    if given:
        return Path(given).read_text()
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("axe-core is needed: set AXE_JS or install npm", pytrace=False)
    tmp = tmp_path_factory.mktemp("axe")
    done = subprocess.run(
        [npm, "pack", f"axe-core@{AXE_VERSION}", "--silent"], cwd=tmp, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        pytest.fail(f"npm pack axe-core@{AXE_VERSION} failed:\n{done.stderr}", pytrace=False)
    with tarfile.open(tmp / f"axe-core-{AXE_VERSION}.tgz") as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None
        return member.read().decode()


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    chromium = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    chromedriver = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
    for path in (chromium, chromedriver):
        if not Path(path).is_file():
            pytest.fail(f"{path} is missing: apt-get install chromium chromium-driver", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,1300"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


class _Back(http.server.BaseHTTPRequestHandler):
    """The product's page the customer is sent back to."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = b"<!DOCTYPE html><html lang='en'><title>Back in the product</title><h1>Back</h1></html>"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def product() -> Iterator[str]:
    """The product's own site, on another origin than the gateway: the redirect_url's host."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Back)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


# ---- helpers ----------------------------------------------------------------------------------------


def new_consumer(sdk, redirect_url: str | None) -> str:
    fields = {"name": "Cabinet Durand"} | ({"redirect_url": redirect_url} if redirect_url else {})
    return str(sdk.Consumer.create(fields).consumerid)


def activation_link(gateway: Gateway, sdk, consumer: str) -> str:
    """What a Chift customer's code does: create the connection without credentials, get a link."""
    url = sdk.Consumer.get(consumer).Connection.create({"name": "MyUnisoft"}).url
    assert url.startswith(f"{gateway.url}/connect/"), url
    return url


def connections(gateway: Gateway, api: requests.Session, consumer: str) -> list:
    res = api.get(f"{gateway.url}/consumers/{consumer}/connections", timeout=10)
    res.raise_for_status()
    return res.json()


def wait_for(condition, what: str):
    """`condition()` once true; a page being replaced meanwhile (stale elements) is waited out."""
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            found = condition()
        except StaleElementReferenceException:
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}", pytrace=False)
        time.sleep(0.05)


def assert_accessible(driver: webdriver.Chrome, axe_source: str, state: str) -> None:
    """axe-core's WCAG 2.1 A/AA rules and best practices: no violation."""
    driver.execute_script(axe_source)
    violations = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
           .then(r => done(r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.html)}))))
           .catch(e => done([{id: "axe-error", help: String(e), nodes: []}]));
        """
    )
    assert violations == [], f"accessibility violations on the {state} page: {violations}"


def screenshot(driver: webdriver.Chrome, name: str) -> None:
    directory = os.environ.get("CONNECT_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        driver.set_window_size(1100, 700)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        # The window's size includes what is not the page: leave room for it.
        driver.set_window_size(1100, max(700, int(height) + 140))
        driver.save_screenshot(str(Path(directory) / f"{name}.png"))
        driver.set_window_size(1100, 1300)


def params(url: str) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def expire(gateway: Gateway, link: str) -> None:
    """Moves the link's expiry to the past, as 30 minutes would."""
    token = link.rsplit("/connect/", 1)[1].split("?")[0]
    digest = hashlib.sha256(token.encode()).hexdigest()
    sql = f"UPDATE connect_links SET expires_at = 0 WHERE token_hash = '{digest}'"
    if gateway.database_url.startswith("sqlite://"):
        with sqlite3.connect(gateway.database_url.removeprefix("sqlite://")) as db:
            assert db.execute(sql).rowcount == 1
    else:
        _psql(gateway.database_url, sql)


def submit(driver: webdriver.Chrome) -> None:
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


# ---- tests ------------------------------------------------------------------------------------------


def test_a_customer_connects_a_firm_key_keeping_two_folders(gateway, sdk, api, browser, product, axe_source, sandbox_tokens):
    consumer = new_consumer(sdk, f"{product}/integrations/back")
    link = activation_link(gateway, sdk, consumer)

    browser.get(link)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert "Connecter MyUnisoft" in browser.find_element(By.TAG_NAME, "h1").text
    lead = browser.find_element(By.CSS_SELECTOR, "p.lead").text
    assert lead == "compat demande l'accès à votre comptabilité MyUnisoft.", lead
    steps = browser.find_elements(By.CSS_SELECTOR, "ol.steps li")
    assert len(steps) == 3 and "Paramètres > Connecteurs" in steps[0].text
    assert browser.execute_script("return document.scripts.length") == 0
    screenshot(browser, "fr-1-key")
    assert_accessible(browser, axe_source, "key (fr)")

    # Keyboard, from the top of a fresh page: the language switch, the key's field, the button.
    browser.get(link)
    order = []
    for _ in range(3):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        active = browser.switch_to.active_element
        order.append(active.get_attribute("hreflang") or active.get_attribute("id") or active.tag_name)
    assert order == ["en", "api_token", "button"], order

    # A refused key: a message on the page, nothing stored, the form is there to try again.
    field = browser.find_element(By.ID, "api_token")
    assert browser.find_element(By.CSS_SELECTOR, "label[for=api_token]").text
    field.send_keys(sandbox_tokens["revoked"])
    submit(browser)
    alert = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "[role=alert]"), "the refusal")
    assert "MyUnisoft a refusé cette clé" in alert[0].text
    assert browser.find_element(By.ID, "api_token").get_attribute("aria-invalid") == "true"
    assert sandbox_tokens["revoked"] not in browser.page_source
    assert connections(gateway, api, consumer) == []
    screenshot(browser, "fr-2-refused")
    assert_accessible(browser, axe_source, "refused key (fr)")

    # The firm key: its three folders, all ticked; untick 4822.
    browser.find_element(By.ID, "api_token").send_keys(sandbox_tokens["firm"])
    submit(browser)
    boxes = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "input[type=checkbox][name=folder]"), "the folders")
    assert [b.get_attribute("value") for b in boxes] == ["4821", "4822", "4823"]
    assert all(b.is_selected() for b in boxes)
    screenshot(browser, "fr-3-folders")
    assert_accessible(browser, axe_source, "folders (fr)")
    browser.find_element(By.CSS_SELECTOR, "label[for=folder-4822]").click()
    assert not browser.find_element(By.ID, "folder-4822").is_selected()
    submit(browser)

    wait_for(lambda: browser.current_url.startswith(product), "the redirect to the product")
    back = params(browser.current_url)
    assert urllib.parse.urlsplit(browser.current_url).path == "/integrations/back"
    assert back["consumerId"] == consumer
    assert back["connectionStatus"] == "active"
    assert back["isExpiredError"] == "false"
    connection = back["connectionId"]

    listed = connections(gateway, api, consumer)
    assert [c["connectionid"] for c in listed] == [connection]
    assert listed[0]["status"] == "active"
    folders = api.get(f"{gateway.url}/consumers/{consumer}/accounting/folders", timeout=10).json()
    assert {f["id"]: f["selected"] for f in folders} == {"4821": True, "4822": False, "4823": True}
    journals = f"{gateway.url}/consumers/{consumer}/accounting/journals"
    assert api.get(journals, params={"folder_id": "4821"}, timeout=30).status_code == 200
    refused = api.get(journals, params={"folder_id": "4822"}, timeout=30)
    assert refused.status_code == 422
    assert refused.json()["error_code"] == "ERROR_INVALID_QUERY_PARAMETER"
    assert refused.json()["detail"][0]["loc"] == ["query", "folder_id"]

    # The link again: used, back to the product with isExpiredError=true.
    browser.get(link)
    wait_for(lambda: browser.current_url.startswith(product), "the redirect of a used link")
    again = params(browser.current_url)
    assert again["isExpiredError"] == "true" and again["error"] == "link_used"
    assert len(connections(gateway, api, consumer)) == 1


def test_an_expired_link_says_so_in_english(gateway, sdk, api, browser, axe_source):
    consumer = new_consumer(sdk, None)
    link = activation_link(gateway, sdk, consumer)
    browser.get(f"{link}?lang=en")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    screenshot(browser, "en-1-key")
    assert_accessible(browser, axe_source, "key (en)")
    # The switch leads to the French page.
    browser.find_element(By.CSS_SELECTOR, "nav a[hreflang=fr]").click()
    wait_for(lambda: browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr", "French")

    expire(gateway, link)
    browser.get(f"{link}?lang=en")
    assert browser.find_element(By.TAG_NAME, "h1").text == "This link has expired"
    assert "30 minutes" in browser.page_source
    assert "Ask compat for a new one" in browser.find_element(By.CSS_SELECTOR, "p.lead").text
    screenshot(browser, "en-4-expired")
    assert_accessible(browser, axe_source, "expired (en)")
    assert connections(gateway, api, consumer) == []


def test_a_society_key_without_redirect_url_ends_on_a_done_page(gateway, sdk, api, browser, axe_source, sandbox_tokens):
    consumer = new_consumer(sdk, None)
    link = activation_link(gateway, sdk, consumer)
    browser.get(f"{link}?lang=en")
    browser.find_element(By.ID, "api_token").send_keys(sandbox_tokens["society_port"])
    submit(browser)
    heading = lambda: browser.find_element(By.TAG_NAME, "h1").text  # noqa: E731
    wait_for(lambda: heading() == "MyUnisoft is connected", "the done page")
    screenshot(browser, "en-3-done")
    assert_accessible(browser, axe_source, "done (en)")
    assert [c["status"] for c in connections(gateway, api, consumer)] == ["active"]
