"""Nothing on the site is cut: every page laid out at a desktop width and at a phone's.

At 1280 and at 390 CSS pixels, on every page, no code block, output, table or display equation
may be wider than the text column it stands in, or scroll sideways inside it: what a reader cannot
see without scrolling is, for most readers, not there. A folded block (a solution) is opened
first, so it is measured too. At 390 pixels the page itself must fit the phone's screen: a page
wider than the screen loads zoomed out. The landing page, a notebook page and the API reference
are saved as screenshots at both widths (docs/_build/screenshots/*-1280.png, *-390.png) for a
person to look at.
"""

import pytest
from pages import DESKTOP, PAGES, PHONE, load, page_name, screenshot, window_width

SCREENSHOT_PAGES = ("index.html", "_notebooks/08_gated_cells.html", "api.html")

# Each block the rule covers, measured against the content box of the page's text column: how far
# it reaches past either edge, and how much of it is scrolled out of its own box.
MEASURE = """
document.querySelectorAll('details').forEach(d => { d.open = true; });
const column = document.querySelector('article.bd-article') || document.querySelector('main');
const style = getComputedStyle(column), box = column.getBoundingClientRect();
const left = box.left + parseFloat(style.paddingLeft), right = box.right - parseFloat(style.paddingRight);
const kinds = [['code', 'pre'], ['table', 'table'], ['equation', 'mjx-container[display="true"]']];
const cut = [];
for (const [kind, selector] of kinds) {
  for (const el of column.querySelectorAll(selector)) {
    if (kind === 'table' && el.parentElement.closest('table, mjx-container')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not displayed
    const over = Math.max(el.scrollWidth - el.clientWidth, r.right - right, left - r.left);
    if (over > 1) {
      const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
      cut.push(`${kind} ${Math.round(over)} px too wide: ${text}`);
    }
  }
}
return {
  cut: cut,
  column: Math.round(right - left),
  innerWidth: window.innerWidth,
  pageWidth: document.documentElement.scrollWidth,
};
"""


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
@pytest.mark.parametrize("page", PAGES)
def test_nothing_is_cut(page, width, browser, base_url, screenshots):
    with window_width(browser, width):
        load(browser, base_url + page)
        facts = browser.execute_script(MEASURE)
        if page in SCREENSHOT_PAGES:
            screenshot(browser, screenshots / f"{page_name(page)}-{width}.png", width)
    assert facts["innerWidth"] == width and facts["pageWidth"] <= width, (
        f"{page} at {width} px: the page is {facts['pageWidth']} px wide and shown "
        f"{facts['innerWidth']} px wide (zoomed out on a phone)"
    )
    cut = facts["cut"]
    assert cut == [], f"{page} at {width} px, column {facts['column']} px: {len(cut)} cut\n" + "\n".join(cut)
