"""Structure of the notebooks: one setup cell, no framework branches, outputs stored, docs in step.

nbval (run by every framework env in tox) checks the stored outputs themselves.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "rnn_guide" / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SETUP = r"""try:
    import rnn_guide
except ImportError:  # not installed in this kernel's Python: say how to get it
    raise ImportError(
        'rnn_guide is not installed here. In a terminal, install the wheel from your course,\n'
        '    pip install "rnn_guide-<version>-py3-none-any.whl[pytorch,notebooks]"\n'
        'or, in a clone of the repository, pip install -e ".[pytorch,notebooks]";\n'
        'then restart the kernel.'
    ) from None

framework = 'pytorch'  # or 'tensorflow', 'jax', 'mxnet', 'numpy'
d2l = rnn_guide.use(framework)"""
BRANCHES = re.compile(
    r"framework\s*[!=]=|d2l\.name\s*[!=]=|^\s*(import|from)\s+(torch|tensorflow|jax|mxnet)\b", re.MULTILINE
)


def code_cells(path):
    cells = json.loads(path.read_text())["cells"]
    return [c for c in cells if c["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"])


def test_notebooks_are_numbered_in_reading_order():
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(1, len(numbers) + 1)), [p.name for p in NOTEBOOKS]
    assert len(numbers) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_the_setup_cell(path):
    first = code_cells(path)[0]
    assert source(first) == SETUP
    assert "nbval-ignore-output" in first["metadata"].get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_framework_branches(path):
    for cell in code_cells(path)[1:]:
        match = BRANCHES.search(source(cell))
        assert match is None, f"{path.name}: framework-specific code {match.group(0)!r} in:\n{source(cell)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_stored_from_one_top_to_bottom_run(path):
    counts = [c["execution_count"] for c in code_cells(path)]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: re-render it (scripts/render_notebooks.py)"
    )
    for cell in code_cells(path):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"{path.name}: stored output is an error"


def test_readme_links_every_notebook_and_contributing_lists_ignored_cells():
    readme = (ROOT / "README.md").read_text()
    positions = [readme.find(f"rnn_guide/notebooks/{p.name}") for p in NOTEBOOKS]
    assert all(pos >= 0 for pos in positions), "every notebook is linked from the README"
    assert positions == sorted(positions), "the README links the notebooks in reading order"
    contributing = (ROOT / "CONTRIBUTING.md").read_text()
    assert "### Cells nbval does not compare" in contributing
    section = contributing.split("### Cells nbval does not compare", 1)[1].split("\n## ", 1)[0]
    for path in NOTEBOOKS:
        ignored = sum("NBVAL_IGNORE_OUTPUT" in source(c) for c in code_cells(path))
        if ignored:
            assert path.name in section, f"CONTRIBUTING's 'Cells nbval does not compare' lists {path.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_have_no_widget_state_or_progress_bar(path):
    """GitHub, nbviewer and Colab show stored outputs as they are: a bar would read 0% forever."""
    notebook = json.loads(path.read_text())
    assert "widgets" not in notebook["metadata"], f"{path.name}: re-render it (widget state stored)"
    for cell in code_cells(path):
        for out in cell["outputs"]:
            assert not any("widget" in kind for kind in out.get("data", {})), f"{path.name}: a widget"
            text = "".join(out.get("text", [])) + "".join(out.get("data", {}).get("text/plain", []))
            assert not re.search(r"\d+%\|", text), f"{path.name}: a progress bar in {text[:80]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_lines_fit_a_projector(path):
    """Code lines under 100 characters: longer ones wrap when a class reads them on a projector."""
    long = [line for cell in code_cells(path) for line in source(cell).splitlines() if len(line) >= 100]
    assert not long, f"{path.name}: {len(long)} code lines of 100+ characters, e.g. {long[0]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_opens_with_objectives_and_ends_with_a_summary(path):
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown"]
    opening, closing = source(cells[0]).lower(), source(cells[-1])
    assert "you will" in opening or "objectives" in opening, f"{path.name}: no learning objectives"
    assert re.search(r"follows:?\**:? d2l \d+\.\d", opening), f"{path.name}: no d2l section named"
    assert re.search(r"running time:?\**:? about \d+", opening), f"{path.name}: no running time"
    assert "Summary" in closing, f"{path.name}: the last markdown cell is not a summary"
