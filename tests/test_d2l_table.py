"""The table "d2l 1.0.3 vs rnn_guide" in docs/d2l.md is the rendering of the rows the d2l envs check.

The rows are in tests/d2l_parity/d2l_findings.py; ``tox -e d2l-pytorch`` (and the
other d2l envs) check each cell against the real d2l 1.0.3. This test needs no d2l:
it fails when docs/d2l.md's copy, between ``<!-- d2l-table:start -->`` and
``<!-- d2l-table:end -->``, differs from ``python scripts/render_d2l_table.py``.
The README links to that page and holds no copy of its own.
"""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _renderer():
    spec = importlib.util.spec_from_file_location(
        "render_d2l_table", ROOT / "scripts" / "render_d2l_table.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_table_is_up_to_date():
    renderer = _renderer()
    block = renderer.table_block(renderer.DOC.read_text(encoding="utf-8"))
    assert block is not None, f"docs/d2l.md has no {renderer.START} ... {renderer.END} block"
    assert block == renderer.render(), (
        "docs/d2l.md's d2l table is out of date: run python scripts/render_d2l_table.py --write docs/d2l.md"
    )


def test_the_table_has_one_copy():
    renderer = _renderer()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert renderer.table_block(readme) is None and renderer.START not in readme
    assert "docs/d2l.md" in readme


def test_every_row_is_rendered_once():
    renderer = _renderer()
    findings = renderer.load_findings()
    table = renderer.render(findings)
    assert len({row.key for row in findings.ROWS}) == len(findings.ROWS)
    for row in findings.ROWS:
        assert table.count(f"| {row.label} |") == 1, row.key
