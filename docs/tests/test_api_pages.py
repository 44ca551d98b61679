"""The API reference documents: fields with their meaning, one entry per parameter, examples.

Every field of a parameter or result tuple (a NamedTuple's or a dataclass's) says what it holds,
never autodoc's "Alias for field number N"; no parameter list gives one description under two
names (a docstring's ``a, b: ...``); each public function or class that a notebook calls has an
example under its entry; every module a notebook imports is in the module index.
"""

import importlib
import inspect
import json
import re
from pathlib import Path

import pytest
from conftest import SITE
from pages import API_PAGES, load

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "rnn_guide" / "notebooks").glob("0*.ipynb"))

# Per entry (<dl class="py ...">): its id, kind, its own description (nested entries left out),
# whether an "Example" heading with code follows in it; and per parameter list, its items' texts.
ENTRIES = """
const own = dd => {
  const copy = dd.cloneNode(true);
  copy.querySelectorAll('dl.py').forEach(e => e.remove());
  return copy;
};
return Array.from(document.querySelectorAll('dl.py')).map(dl => {
  const dt = dl.querySelector(':scope > dt'), dd = dl.querySelector(':scope > dd');
  const body = own(dd);
  const rubric = Array.from(body.querySelectorAll('p.rubric'))
    .find(p => /^Examples?$/.test(p.textContent.trim()));
  let example = false;
  for (let e = rubric && rubric.nextElementSibling; e && !e.matches('p.rubric'); e = e.nextElementSibling) {
    if (e.querySelector('pre') || e.matches('pre')) { example = true; break; }
  }
  const lists = Array.from(body.querySelectorAll('dl.field-list > dd')).map(
    field => Array.from(field.querySelectorAll(':scope > ul > li')).map(li => li.textContent.trim()));
  return {id: dt.id, kind: dl.classList[1], text: body.textContent.trim(), example, lists};
});
"""


@pytest.fixture(scope="module")
def entries(browser, base_url):
    """Every entry of every API page, by id."""
    found = {}
    for page in API_PAGES:
        load(browser, base_url + page)
        for entry in browser.execute_script(ENTRIES):
            found[entry["id"] or f"{page}: {entry['text'][:40]}"] = entry
    return found


def shown_code(path):
    """The code of a notebook's cells that the site shows (its hidden tests left out)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join(
        "".join(c["source"])
        for c in cells
        if c["cell_type"] == "code" and "remove-cell" not in c["metadata"].get("tags", [])
    )


def _object(dotted):
    module, _, rest = dotted.partition(".")
    obj = importlib.import_module(module)
    for part in rest.split(".") if rest else []:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def notebook_imports():
    """{alias: rnn_guide's dotted name} per notebook, from its ``from rnn_guide... import ...`` lines."""
    for path in NOTEBOOKS:
        code = shown_code(path)
        aliases = {"rnn_guide": "rnn_guide"}
        for module, imported in re.findall(r"^from (rnn_guide\S*) import ([\w, ]+)", code, re.M):
            aliases.update({name.strip(): f"{module}.{name.strip()}" for name in imported.split(",")})
        yield code, aliases


def notebook_calls():
    """The dotted names of rnn_guide's functions and classes that the notebooks call."""
    names = set()
    for code, aliases in notebook_imports():
        for alias, target in aliases.items():
            names.update(target + call for call in re.findall(rf"(?<![\w.]){alias}((?:\.\w+)*)\s*\(", code))
    return {n for n in names if callable(_object(n)) and not inspect.ismodule(_object(n))}


def test_no_field_reads_alias_for_field_number():
    aliased = [p for p in API_PAGES if "Alias for field number" in (SITE / p).read_text(encoding="utf-8")]
    assert aliased == [], "autodoc's placeholder instead of a field's meaning on " + ", ".join(aliased)


def test_every_field_says_what_it_holds(entries):
    empty = sorted(i for i, e in entries.items() if e["kind"] in ("attribute", "property") and not e["text"])
    assert empty == [], f"{len(empty)} fields or attributes without a description: {empty}"


def test_no_parameter_list_repeats_an_entry(entries):
    repeated = []
    for name, entry in entries.items():
        for items in entry["lists"]:
            descriptions = [item.split(" – ", 1)[1] for item in items if " – " in item]
            repeated += [f"{name}: {d!r}" for d in sorted(set(descriptions)) if descriptions.count(d) > 1]
    assert repeated == [], "one description under several names (one line per parameter):\n" + "\n".join(
        repeated
    )


def test_every_function_a_notebook_calls_has_an_example(entries):
    calls = notebook_calls()
    assert {"rnn_guide.rnn_forward", "rnn_guide.questions.feedback"} <= calls, sorted(calls)
    missing = sorted(name for name in calls if name not in entries)
    assert missing == [], f"called in a notebook, not in the API reference: {missing}"
    without = sorted(name for name in calls if not entries[name]["example"])
    assert without == [], f"{len(without)} entries without an example: {without}"


def test_every_module_a_notebook_imports_is_in_the_module_index():
    index = (SITE / "py-modindex.html").read_text(encoding="utf-8")
    listed = set(re.findall(r'<code class="xref">(rnn_guide[\w.]*)</code>', index))
    modules = {"rnn_guide"}
    for code, aliases in notebook_imports():
        modules.update(re.findall(r"^from (rnn_guide\S*) import", code, re.M))
        modules.update(name for name in aliases.values() if inspect.ismodule(_object(name)))
    assert sorted(modules - listed) == [], f"the module index lists only {sorted(listed)}"
