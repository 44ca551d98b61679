"""Build the student notebooks from the instructor notebooks, with otter-grader.

    python scripts/assign_notebooks.py                 # every notebook with questions -> student/
    python scripts/assign_notebooks.py --out handout rnn_guide/notebooks/05_*.ipynb

This is the project's assign command (also ``tox -e assign``). The notebooks in ``rnn_guide/notebooks/`` are
the instructor's version, answers in. ``otter assign`` reads their question, solution and test
cells (otter's ``# BEGIN QUESTION`` ... ``# END QUESTION`` raw cells) and writes a student version:
solutions replaced by ``...`` (code) or a prompt (prose), outputs cleared, and a
``grader.check("name")`` cell after each coded question. The tests travel inside each student
notebook's metadata, so one ``.ipynb`` file per notebook is all a student needs, with
``pip install "rnn-guide[pytorch,notebooks]"`` (otter-grader is in the ``notebooks`` extra).
``student/`` is not committed: it is built from the instructor notebooks whenever they change.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
CONFIG_MARKER = "# ASSIGNMENT CONFIG"


def has_questions(path):
    """Whether the notebook at ``path`` is set up for otter assign (it has the config cell)."""
    nb = nbformat.read(path, as_version=4)
    return any(c.cell_type == "raw" and c.source.startswith(CONFIG_MARKER) for c in nb.cells)


def instructor_notebooks():
    """The notebooks in ``rnn_guide/notebooks/`` that have questions, in order."""
    return [
        p for p in sorted((ROOT / "rnn_guide" / "notebooks").glob("[0-9][0-9]_*.ipynb")) if has_questions(p)
    ]


def assign(path, out):
    """Write the student version of notebook ``path`` to ``out/<same name>``; return its path.

    otter writes an autograder (solutions) and a student folder; only the student notebook is
    kept, so solutions never land beside what is handed out.
    """
    path, out = Path(path).resolve(), Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        result = subprocess.run(
            [sys.executable, "-m", "otter", "assign", str(path), work],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"otter assign failed on {path.name}:\n{result.stdout}{result.stderr}")
        target = out / path.name
        shutil.copyfile(Path(work) / "student" / path.name, target)
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build the student notebooks with otter assign.")
    parser.add_argument("notebooks", nargs="*", help="instructor notebooks (default: all with questions)")
    parser.add_argument("--out", default=str(ROOT / "student"), help="folder for the student notebooks")
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.notebooks] or instructor_notebooks()
    for path in paths:
        if not has_questions(path):
            parser.error(f"{path} has no '{CONFIG_MARKER}' raw cell, so it has no questions to assign")
        print(assign(path, args.out))


if __name__ == "__main__":
    main()
