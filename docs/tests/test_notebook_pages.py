"""What a notebook page offers an instructor and a reader, beyond loading without errors.

Each page offers both editions for download (the instructor notebook and the student edition);
no cell marker (``# NBVAL_IGNORE_OUTPUT``, ``# SOLUTION``) shows in the code; every solution is
folded away until it is opened; "Follows: d2l N.M" links to the book, "notebook N" to that
page and an API name (``rnn_guide.rnn_forward``, ``d2l.matmul``) to its entry; every plot says in
words what it shows and is stored at twice its shown size (sharp on a high-density screen); no
page title repeats itself.
"""

import json
import re
from pathlib import Path

import pytest
from pages import NOTEBOOK_PAGES, PAGES, load

NOTEBOOKS = Path(__file__).resolve().parents[2] / "rnn_guide" / "notebooks"
MARKERS = re.compile(r"NBVAL_\w+|#\s*(BEGIN |END )?SOLUTION\b|BEGIN QUESTION|BEGIN TESTS")

FACTS = """
const article = document.querySelector('article.bd-article');
const mentions = [];
const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  if (node.parentElement.closest('a, pre, code, h1, mjx-container')) continue;
  for (const m of node.textContent.matchAll(/\\bnotebooks? (\\d)\\b/g)) mentions.push(m[1]);
}
const follows = Array.from(article.querySelectorAll('p')).find(p => /^Follows:?/.test(p.textContent.trim()));
return {
  downloads: Array.from(document.querySelectorAll('a[href$=".ipynb"]')).map(a => a.href),
  code: Array.from(article.querySelectorAll('pre')).map(pre => pre.textContent),
  // not shown until a reader opens it (a closed <details> hides its content from layout)
  hidden: Array.from(article.querySelectorAll('pre'))
    .filter(pre => !pre.checkVisibility()).map(pre => pre.textContent),
  mentions: mentions,
  followsLinks: follows ? Array.from(follows.querySelectorAll('a')).map(a => a.href) : null,
  // inline code in the prose naming the API: rnn_guide.rnn_forward, d2l.matmul, rnn_guide.use(...)
  apiNames: Array.from(article.querySelectorAll('p code, li code, td code'))
    .filter(c => /^(rnn_guide(\\.\\w+)+|d2l\\.\\w+)(\\(.*\\))?$/.test(c.textContent.trim()))
    .map(c => [c.textContent.trim(), Boolean(c.closest('a'))]),
  plots: Array.from(article.querySelectorAll('.cell_output img')).map(img => img.alt),
  // pixels per CSS pixel of each plot as shown: 2 or more is sharp on a high-density screen
  density: Array.from(article.querySelectorAll('.cell_output img'))
    .map(img => img.naturalWidth / img.getBoundingClientRect().width),
};
"""


def solutions(name):
    """The first line of each solution cell of a notebook (a code cell after "# BEGIN SOLUTION")."""
    cells = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    firsts = []
    for before, cell in zip(cells, cells[1:]):
        if before["cell_type"] == "raw" and "".join(before["source"]).strip() == "# BEGIN SOLUTION":
            if cell["cell_type"] == "code":
                firsts.append("".join(cell["source"]).splitlines()[0])
    return firsts


@pytest.fixture(scope="module")
def facts(browser, base_url):
    """page -> what FACTS reports, each notebook page opened once."""
    found = {}
    for page in NOTEBOOK_PAGES:
        load(browser, base_url + page)
        found[page] = browser.execute_script(FACTS)
    return found


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_both_editions_can_be_downloaded(page, facts):
    name = page.split("/")[-1].removesuffix(".html")
    links = facts[page]["downloads"]
    student = [link for link in links if link.endswith(f"/student/{name}.ipynb")]
    instructor = [link for link in links if link.endswith(f"/{name}.ipynb") and "/student/" not in link]
    assert instructor and student, f"{page}: downloads offered: {links}"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_no_cell_marker_is_shown(page, facts):
    shown = [m.group(0) for code in facts[page]["code"] for m in MARKERS.finditer(code)]
    assert shown == [], f"{page}: markers shown in the code: {sorted(set(shown))}"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_every_solution_is_folded(page, facts):
    name = page.split("/")[-1].removesuffix(".html")
    firsts = solutions(name)
    assert firsts, f"{name}: no solution cell found"
    shown = [first for first in firsts if not any(first in code for code in facts[page]["hidden"])]
    assert shown == [], f"{page}: solutions shown unfolded: {shown}"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_links_to_the_book_and_to_other_notebooks(page, facts):
    own = page.split("/")[-1][1]
    page_facts = facts[page]
    assert page_facts["followsLinks"], f"{page}: 'Follows: d2l ...' names no link"
    book = [link for link in page_facts["followsLinks"] if link.startswith("https://d2l.ai/chapter_")]
    assert book, f"{page}: 'Follows:' does not link to a section of d2l.ai: {page_facts['followsLinks']}"
    unlinked = [n for n in page_facts["mentions"] if n != own]
    assert unlinked == [], f"{page}: mentions of notebooks {sorted(set(unlinked))} are not links"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_api_names_in_the_prose_link_to_the_reference(page, facts):
    names = facts[page]["apiNames"]
    assert names, f"{page}: no API name found in the prose (has the page changed?)"
    unlinked = sorted({name for name, linked in names if not linked})
    assert unlinked == [], f"{page}: API names that do not link to the reference: {unlinked}"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_plots_have_alt_text(page, facts):
    bad = [alt for alt in facts[page]["plots"] if len(alt) < 20 or re.search(r"/|\.png$", alt)]
    assert bad == [], f"{page}: plots whose alt text says nothing: {bad}"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_plots_are_stored_at_twice_their_size(page, facts):
    """The stored PNGs are rendered as 'retina' figures (scripts/render_notebooks.py)."""
    soft = [round(d, 2) for d in facts[page]["density"] if d < 1.9]
    assert soft == [], f"{page}: plots with {soft} image pixels per CSS pixel; re-render at 2x"


@pytest.mark.parametrize("page", PAGES)
def test_the_title_does_not_repeat_itself(page, browser, base_url):
    load(browser, base_url + page)
    title = browser.title
    name, _, site = title.partition(" — ")
    assert name.strip() and name.strip() not in site, f"{page}: title {title!r}"
