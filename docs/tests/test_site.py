"""Every page of the built site, opened in headless Chromium from a local HTTP server.

Run by `tox -e docs-browser` (after it builds the site); `pytest tests` does not collect it. Each
page must load with no console error and no request beyond the server, show all its images, have
its math typeset by the site's own MathJax, and link only to files that exist. A screenshot of
each page is saved in docs/_build/screenshots.
"""

import re
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from pages import NOTEBOOK_PAGES, PAGES, WAIT_FOR_PAGE, page_name, screenshot

WITH_PLOTS = ("03_", "04_", "05_", "06_", "07_")
# Raw TeX that MathJax did not replace; code, pre and typeset math are removed before looking.
RAW_MATH = re.compile(r"\$\$|\$[^$\s][^$\n]*\$|\\\(|\\\[|\\begin\{")

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


def test_the_site_has_every_notebook_and_the_reference_pages():
    assert {"index.html", "api.html", "d2l.html"} <= set(PAGES), PAGES
    numbers = [p.split("/")[1][:3] for p in NOTEBOOK_PAGES]
    assert len(numbers) >= 8 and numbers == [f"{i:02d}_" for i in range(1, len(numbers) + 1)], PAGES


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
    screenshot(browser, screenshots / f"{page_name(page)}.png")

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
