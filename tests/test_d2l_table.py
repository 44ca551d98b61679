"""The README's table "d2l 1.0.3 vs rnn_guide" is the rendering of the rows the d2l envs check.

The rows are in tests/d2l_parity/d2l_findings.py; ``tox -e d2l-pytorch`` (and the
other d2l envs) check each cell against the real d2l 1.0.3. This test needs no d2l:
it fails when README.md's copy, between ``<!-- d2l-table:start -->`` and
``<!-- d2l-table:end -->``, differs from ``python scripts/render_d2l_table.py``.
"""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _findings():
    spec = importlib.util.spec_from_file_location(
        "d2l_findings", ROOT / "tests" / "d2l_parity" / "d2l_findings.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_table_is_up_to_date():
    findings = _findings()
    block = findings.readme_block((ROOT / "README.md").read_text(encoding="utf-8"))
    assert block is not None, f"README.md has no {findings.START} ... {findings.END} block"
    assert block == findings.render_markdown(), (
        "README.md's d2l table is out of date: run python scripts/render_d2l_table.py --write README.md"
    )


def test_every_row_is_rendered():
    findings = _findings()
    table = findings.render_markdown()
    for row in findings.ROWS:
        assert f"| {row.label} |" in table
