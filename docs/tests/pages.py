"""What the browser tests share: the site's pages, loading one, the window's width, screenshots."""

import base64
import contextlib

from conftest import SITE

# What the build writes besides pages: theme templates in _static, sources and downloads.
PAGES = sorted(
    p.relative_to(SITE).as_posix()
    for p in SITE.rglob("*.html")
    if p.relative_to(SITE).parts[0] not in ("_static", "_sources", "_downloads", "_images")
)
NOTEBOOK_PAGES = [p for p in PAGES if p.startswith("_notebooks/")]
API_PAGES = [p for p in PAGES if p == "api.html" or p.startswith("api/")]
# A desktop window and a phone's (an iPhone 12 to 15 is 390 CSS pixels wide).
DESKTOP, PHONE = 1280, 390
MAX_SCREENSHOT_HEIGHT = 16000  # Chromium's limit for one capture

WAIT_FOR_PAGE = """
const done = arguments[arguments.length - 1];
const images = () => Promise.all(Array.from(document.images).map(img => img.decode().catch(() => null)));
const math = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
Promise.all([images(), math]).then(() => done(null), err => done(String(err)));
"""


def page_name(page):
    """index.html -> index, _notebooks/01_x.html -> _notebooks__01_x: a file name for its screenshot."""
    return page.replace("/", "__").removesuffix(".html")


def load(browser, url):
    """Open ``url`` and wait until its images are decoded and MathJax has typeset it."""
    browser.get(url)
    assert browser.execute_async_script(WAIT_FOR_PAGE) is None, f"{url}: did not finish loading"


def _metrics(width, height):
    # A phone is emulated as one: it honours the page's viewport tag, and a page wider than the
    # screen is shown zoomed out, as a phone's browser does.
    mobile = width < 700
    return {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}


@contextlib.contextmanager
def window_width(browser, width, height=900):
    """Pages opened inside the block are laid out in a window ``width`` CSS pixels wide."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", _metrics(width, height))
    try:
        yield width
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def screenshot(browser, path, width=None):
    """A PNG of the whole page (its first MAX_SCREENSHOT_HEIGHT pixels): the window made as tall.

    ``width``: the width of the window the page was opened in (``window_width``), which it is
    given back afterwards; by default the browser's own window.
    """
    size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    height = min(int(size["height"]), MAX_SCREENSHOT_HEIGHT)
    shot_width = width or browser.execute_script("return window.innerWidth")
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", _metrics(shot_width, height))
    try:
        shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    finally:
        if width:
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", _metrics(width, 900))
        else:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    path.write_bytes(base64.b64decode(shot["data"]))
