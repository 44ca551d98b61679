"""The notebooks as the site shows them: copied in, cleaned of cell markers, solutions folded.

Sphinx reads sources only from its source folder (docs/), so at the start of each build the
notebooks are copied into docs/_notebooks (git-ignored); rnn_guide/notebooks/ stays the only copy
that is edited and committed. The copies on disk are the instructor notebooks byte for byte, so the
page's download gives exactly that file. What the site changes, it changes while Sphinx reads the
notebook (``source-read``), in memory:

- the lines that only tools read are dropped from the code: nbval's ``# NBVAL_...`` comments and
  otter's ``# SOLUTION`` / ``# BEGIN SOLUTION`` / ``# END SOLUTION`` markers;
- every solution (the cells between otter's ``# BEGIN SOLUTION`` and ``# END SOLUTION`` raw cells)
  is folded: a code cell behind "Show the solution" (myst-nb's ``hide-input`` tag), a written answer
  in a ``<details>`` block;
- under the title, one line offers both editions: the instructor notebook and the student edition.

The student editions are the ones the wheel ships (rnn_guide/notebooks/student/, built by
``python scripts/assign_notebooks.py --package``; tests/test_classroom.py keeps them current).
They are copied into the site's student/ folder when the build ends.
"""

import json
import os
import re
import shutil
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]
NOTEBOOKS = DOCS.parent / "rnn_guide" / "notebooks"
STUDENT = NOTEBOOKS / "student"
BUILD_NOTEBOOKS = DOCS / "_notebooks"

# A whole line that only a tool reads, and otter's mark at the end of an answer line.
MARKER_LINE = re.compile(r"^[ \t]*# (NBVAL_[A-Z_]+|BEGIN SOLUTION|END SOLUTION)[ \t]*$")
MARKER_END = re.compile(r"[ \t]+# SOLUTION[ \t]*$")
BEGIN_SOLUTION, END_SOLUTION = "# BEGIN SOLUTION", "# END SOLUTION"

DOWNLOADS = (
    '<p class="nb-downloads">Download: '
    '<a href="../_sources/_notebooks/{name}.ipynb" download="{name}.ipynb">instructor notebook</a> '
    "(answers in) · "
    '<a href="../student/{name}.ipynb" download="{name}.ipynb">student edition</a> '
    "(answers left out, with the checks)</p>"
)
FOLDED_ANSWER = '<details class="solution">\n<summary>Show the answer</summary>\n\n{text}\n\n</details>'


def copy_notebooks(app):
    """Mirror ../rnn_guide/notebooks/*.ipynb into docs/_notebooks before Sphinx looks for sources.

    A file is replaced only when its bytes differ, atomically, so two builds started at once
    (`docs` and `docs-browser` in a parallel tox run) never read a half-written notebook.
    Files that no longer exist in rnn_guide/notebooks/ are removed.
    """
    BUILD_NOTEBOOKS.mkdir(exist_ok=True)
    sources = {path.name: path for path in sorted(NOTEBOOKS.glob("*.ipynb"))}
    for name, path in sources.items():
        target = BUILD_NOTEBOOKS / name
        data = path.read_bytes()
        if target.exists() and target.read_bytes() == data:
            continue
        tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    for stale in BUILD_NOTEBOOKS.glob("*.ipynb"):
        if stale.name not in sources:
            stale.unlink(missing_ok=True)
    # A checkpoint folder copied by hand would become pages.
    shutil.rmtree(BUILD_NOTEBOOKS / ".ipynb_checkpoints", ignore_errors=True)


def clean_code(source):
    """The code with the markers' lines dropped and otter's ``# SOLUTION`` ends cut off."""
    lines = [MARKER_END.sub("", line) for line in source.split("\n") if not MARKER_LINE.match(line)]
    return "\n".join(lines).strip("\n")


def _text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def for_the_site(notebook, name):
    """The notebook (parsed JSON) as the site shows it; ``name`` is its file name without .ipynb."""
    cells, in_solution, titled = [], False, False
    for cell in notebook["cells"]:
        text = _text(cell)
        if cell["cell_type"] == "raw" and text.strip() in (BEGIN_SOLUTION, END_SOLUTION):
            in_solution = text.strip() == BEGIN_SOLUTION
        elif cell["cell_type"] == "code":
            cell["source"] = clean_code(text)
            if in_solution:
                cell["metadata"].setdefault("tags", []).append("hide-input")
                cell["metadata"]["mystnb"] = {
                    "code_prompt_show": "Show the solution",
                    "code_prompt_hide": "Hide the solution",
                }
        elif cell["cell_type"] == "markdown":
            if in_solution:
                text = FOLDED_ANSWER.format(text=text)
            elif not titled and text.startswith("# "):
                title, _, rest = text.partition("\n")
                text = f"{title}\n\n{DOWNLOADS.format(name=name)}\n{rest}"
                titled = True
            cell["source"] = text
        cells.append(cell)
    notebook["cells"] = cells
    return notebook


def show_notebook(app, docname, source):
    """``source-read``: a notebook's JSON, as Sphinx read it, becomes what the site shows."""
    if docname.startswith("_notebooks/") and source[0].lstrip().startswith("{"):
        name = docname.split("/", 1)[1]
        source[0] = json.dumps(for_the_site(json.loads(source[0]), name))


def copy_student_editions(app, exception):
    """The packaged student editions, into the site's student/ folder."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "student"
    target.mkdir(exist_ok=True)
    for path in sorted(STUDENT.glob("*.ipynb")):
        shutil.copyfile(path, target / path.name)


def setup(app):
    app.connect("builder-inited", copy_notebooks)
    app.connect("source-read", show_notebook)
    app.connect("build-finished", copy_student_editions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
