"""Every page of the built site, opened in headless Chromium from a local HTTP server.

Run by `tox -e docs-browser` (after it builds the site); `pytest tests` does not collect it. Each
page must load with no console error and no request beyond the server, show all its images, have
its math typeset by the site's own MathJax, and link only to files that exist. A screenshot of
each page is saved in docs/_build/screenshots.
"""

import base64
import re
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from conftest import SITE

# What the build writes besides pages: theme templates in _static, sources and downloads.
PAGES = sorted(
    p.relative_to(SITE).as_posix()
    for p in SITE.rglob("*.html")
    if p.relative_to(SITE).parts[0] not in ("_static", "_sources", "_downloads", "_images")
)
NOTEBOOK_PAGES = [p for p in PAGES if p.startswith("_notebooks/")]
WITH_PLOTS = ("03_", "04_", "05_", "06_", "07_")
# Raw TeX that MathJax did not replace; code, pre and typeset math are removed before looking.
RAW_MATH = re.compile(r"\$\$|\$[^$\s][^$\n]*\$|\\\(|\\\[|\\begin\{")
MAX_SCREENSHOT_HEIGHT = 16000  # Chromium's limit for one capture

WAIT_FOR_PAGE = """
const done = arguments[arguments.length - 1];
const images = () => Promise.all(Array.from(document.images).map(img => img.decode().catch(() => null)));
const math = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
Promise.all([images(), math]).then(() => done(null), err => done(String(err)));
"""
PAGE_FACTS = """
const strip = document.body.cloneNode(true);
strip.querySelectorAll('pre, code, script, style, mjx-container, .highlight').forEach(e => e.remove());
return {
  text: strip.textContent,
  math: document.querySelectorAll('.math').length,
  typeset: document.querySelectorAll('mjx-container').length,
  texErrors: document.querySelectorAll('mjx-merror').length,
  brokenImages: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
  plots: Array.from(document.images).filter(i => i.src.includes('/_images/')).length,
  requests: performance.getEntriesByType('resource').map(e => e.name),
  links: Array.from(document.querySelectorAll('a[href], link[href]')).map(a => a.href),
  prevNext: Array.from(document.querySelectorAll('.prev-next-area a')).map(a => a.href),
};
"""


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name in ("id", "name") and value)


@pytest.fixture(scope="session")
def fetched():
    """url -> (HTTP status, ids in the page) for every internal link followed, fetched once."""
    cache = {}

    def fetch(url):
        if url not in cache:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    body = response.read()
                    status = response.status
            except urllib.error.HTTPError as err:
                status, body = err.code, b""
            ids = _Ids()
            if url.endswith(".html") or url.endswith("/"):
                ids.feed(body.decode("utf-8", "replace"))
            cache[url] = status, ids.ids
        return cache[url]

    return fetch


def screenshot(browser, path):
    """A PNG of the whole page (its first MAX_SCREENSHOT_HEIGHT pixels): the window made as tall."""
    size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    height = min(int(size["height"]), MAX_SCREENSHOT_HEIGHT)
    width = browser.execute_script("return window.innerWidth")
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    path.write_bytes(base64.b64decode(shot["data"]))


def test_the_site_has_every_notebook_and_the_reference_pages():
    assert {"index.html", "api.html", "d2l.html"} <= set(PAGES), PAGES
    assert [p.split("/")[1][:3] for p in NOTEBOOK_PAGES] == [f"0{i}_" for i in range(1, 9)], PAGES


def open_page(browser, url, origin):
    """Load ``url``, wait for its images and MathJax, check what every page must pass; the facts."""
    browser.get_log("browser")  # drop what an earlier page left
    browser.get(url)
    assert browser.execute_async_script(WAIT_FOR_PAGE) is None
    facts = browser.execute_script(PAGE_FACTS)
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], f"{url}: JavaScript console errors"
    outside = [request for request in facts["requests"] if not request.startswith(origin)]
    assert outside == [], f"{url}: requests beyond the site"
    assert facts["brokenImages"] == [], f"{url}: images that did not load"
    if facts["math"]:
        assert facts["typeset"] > 0, f"{url}: math left for MathJax, none typeset"
    assert facts["texErrors"] == 0, f"{url}: MathJax could not typeset some TeX"
    assert RAW_MATH.findall(facts["text"]) == [], f"{url}: raw TeX in the text"
    return facts


@pytest.mark.parametrize("page", PAGES)
def test_page(page, browser, base_url, fetched, screenshots):
    facts = open_page(browser, base_url + page, base_url)
    screenshot(browser, screenshots / (page.replace("/", "__").removesuffix(".html") + ".png"))

    broken = []
    for link in facts["links"]:
        url, fragment = urldefrag(link)
        if urlsplit(url).netloc != urlsplit(base_url).netloc:
            continue  # an external link: shown, never fetched by the page
        status, ids = fetched(url.split("?")[0])
        if status != 200 or (fragment and url.endswith(".html") and fragment not in ids):
            broken.append(f"{link} ({status})")
    assert broken == [], f"{page}: internal links that do not resolve"

    if page in NOTEBOOK_PAGES:
        name = page.split("/")[-1].removesuffix(".html")
        assert facts["typeset"] > 0, f"{page}: a notebook page without typeset math"
        assert any(link.endswith(f"/{name}.ipynb") for link in facts["links"]), f"{page}: no download"
        assert len(facts["prevNext"]) == 2, f"{page}: previous/next links"
        if name.startswith(WITH_PLOTS):
            assert facts["plots"] >= 1, f"{page}: no plot"


@pytest.mark.parametrize("page", ["index.html", *NOTEBOOK_PAGES])
def test_page_opened_from_disk(page, browser, site):
    """docs/_build/html/index.html opened as a file, with no server, shows the same."""
    facts = open_page(browser, (site / page).as_uri(), site.as_uri())
    if page in NOTEBOOK_PAGES:
        assert facts["typeset"] > 0, f"{page}: a notebook page without typeset math"
