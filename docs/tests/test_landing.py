"""The first screens a reader sees: the landing page, the d2l page, and search results.

The landing page says what the guide is, which version, and gives the first command on the first
screen; without a configured project address it links to no code host. The d2l page opens with its
table. Search results quote their pages without raw TeX.
"""

import os
import time

import pytest
from pages import DESKTOP, NOTEBOOK_PAGES, load, window_width

# How far down a desktop window shows without scrolling (its height in the tests).
FIRST_SCREEN = 900

FIRST = """
const top = el => el ? el.getBoundingClientRect().top + window.scrollY : null;
const article = document.querySelector('article.bd-article');
return {
  text: article.innerText.slice(0, 400),
  firstCode: top(article.querySelector('div.highlight pre')),
  firstCodeText: (article.querySelector('div.highlight pre') || {}).textContent || '',
  firstTable: top(article.querySelector('table')),
  codeHosts: Array.from(document.querySelectorAll('a[href]')).map(a => a.href)
    .filter(h => /github\\.com|gitlab\\.com|bitbucket\\.org/.test(h)),
};
"""
SNIPPETS = """
const items = Array.from(document.querySelectorAll('#search-results li'));
return {
  done: /Search finished/.test(document.querySelector('#search-results').textContent),
  items: items.length,
  quotes: items.map(li => li.querySelector('p.context')).filter(Boolean).map(p => p.textContent),
};
"""


@pytest.fixture(scope="module")
def first_screens(browser, base_url):
    found = {}
    with window_width(browser, DESKTOP, FIRST_SCREEN):
        for page in ("index.html", "d2l.html"):
            load(browser, base_url + page)
            found[page] = browser.execute_script(FIRST)
    return found


def test_the_landing_page_says_what_which_version_and_how(first_screens, site):
    facts = first_screens["index.html"]
    version = (site / "_static" / "documentation_options.js").read_text().split("VERSION: '")[1].split("'")[0]
    assert f"rnn_guide {version}" in facts["text"], facts["text"]
    assert "PyTorch" in facts["text"] and "notebooks" in facts["text"], facts["text"]
    assert facts["firstCode"] is not None and facts["firstCode"] < FIRST_SCREEN, facts
    assert "pip install" in facts["firstCodeText"], facts["firstCodeText"]


def test_the_landing_page_lists_every_notebook_with_both_editions(browser, base_url):
    load(browser, base_url + "index.html")
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('article a[href]')).map(a => a.getAttribute('href'))"
    )
    for page in NOTEBOOK_PAGES:
        name = page.split("/")[-1].removesuffix(".html")
        wanted = {page, f"_sources/_notebooks/{name}.ipynb", f"student/{name}.ipynb"}
        assert wanted <= set(links), f"index.html: missing links to {sorted(wanted - set(links))}"


def test_no_link_to_a_code_host_without_a_project_address(first_screens):
    if os.environ.get("RNN_GUIDE_PROJECT_URL"):
        pytest.skip("a project address is configured")  # then the links are wanted
    assert first_screens["index.html"]["codeHosts"] == []


def test_the_d2l_page_opens_with_its_table(first_screens):
    top = first_screens["d2l.html"]["firstTable"]
    assert top is not None and top < FIRST_SCREEN / 2, f"the table starts {top} px down"


def test_search_results_quote_without_raw_tex(browser, base_url):
    load(browser, base_url + "search.html?q=hidden+state")
    deadline = time.monotonic() + 30
    while True:
        facts = browser.execute_script(SNIPPETS)
        if facts["done"] and facts["items"] and len(facts["quotes"]) >= min(facts["items"], 3):
            break
        assert time.monotonic() < deadline, f"search results did not arrive: {facts}"
        time.sleep(0.2)
    raw = [q for q in facts["quotes"] if "\\(" in q or "\\mathbf" in q or "\\[" in q]
    assert raw == [], f"quotes with raw TeX: {raw[:2]}"
    chrome = [q for q in facts["quotes"] if "Light" in q.split() and "Dark" in q.split()]
    assert chrome == [], f"quotes of the theme's buttons, not the page: {chrome[:1]}"
