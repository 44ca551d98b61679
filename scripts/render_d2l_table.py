"""Print (or write into the README) the table "d2l 1.0.3 vs rnn_guide".

    python scripts/render_d2l_table.py                # print the block
    python scripts/render_d2l_table.py --write README.md

The rows live in ``tests/d2l_parity/d2l_findings.py``; the d2l tox envs
(``tox -e d2l-pytorch``, ...) check every cell against the real d2l 1.0.3, and
``tests/test_d2l_table.py`` fails when the README's copy differs from this rendering.
``--write`` replaces the block between ``<!-- d2l-table:start -->`` and
``<!-- d2l-table:end -->``, which must already be in the file.
"""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_findings():
    path = ROOT / "tests" / "d2l_parity" / "d2l_findings.py"
    spec = importlib.util.spec_from_file_location("d2l_findings", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv):
    findings = load_findings()
    block = findings.render_markdown()
    if not argv:
        sys.stdout.write(block)
        return 0
    if len(argv) != 2 or argv[0] != "--write":
        print(__doc__, file=sys.stderr)
        return 2
    path = Path(argv[1])
    text = path.read_text(encoding="utf-8")
    old = findings.readme_block(text)
    if old is None:
        print(f"{path}: no {findings.START} ... {findings.END} block to replace", file=sys.stderr)
        return 1
    path.write_text(text.replace(old, block), encoding="utf-8")
    print(f"{path}: table {'unchanged' if old == block else 'updated'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
