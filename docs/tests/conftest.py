"""Fixtures of the browser test: the built site on a local HTTP server, and headless Chromium."""

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest
from check_chromium import CHROMEDRIVER, CHROMIUM, missing

DOCS = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("RNN_GUIDE_SITE_DIR", DOCS / "_build" / "html"))
SCREENSHOTS = DOCS / "_build" / "screenshots"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site's folder without a log line per request."""

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def site():
    """The built site's folder."""
    if not (SITE / "index.html").is_file():
        pytest.exit(f"docs-browser: no site at {SITE}; build it first (tox -e docs)", returncode=1)
    return SITE


@pytest.fixture(scope="session")
def base_url(site):
    """http://127.0.0.1:<free port>/, serving the site until the session ends."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium that can reach 127.0.0.1 and nothing else, keeping its console log."""
    problem = missing()
    if problem:
        pytest.exit(problem, returncode=1)  # a failure, never a skip
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",  # Chromium refuses to start as root with its sandbox
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        # Every host name fails to resolve: a page that needs the network shows it as an error.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The driver's path is given, so Selenium Manager downloads nothing (SE_OFFLINE says so too).
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def screenshots():
    """The folder the screenshots go to (an artifact for a person; nothing compares them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
