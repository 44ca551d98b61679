"""Sizes that stay: every file readable in one sitting (DESIGN.md, principle 6).

No Python file of the package, the tests, the benchmarks or the scripts is longer than 300 lines,
the language model's class stays about 100 lines, and the README, a newcomer's first page, at most
150. A file that grows past its limit fails here, so the drift shows in CI rather than in review.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("rnn_guide", "tests", "benchmarks", "scripts")
MAX_LINES = 300
PYTHON_FILES = sorted(
    path.relative_to(ROOT).as_posix()
    for folder in FOLDERS
    for path in (ROOT / folder).rglob("*.py")
    if "__pycache__" not in path.parts
)


def lines(path):
    return len((ROOT / path).read_text(encoding="utf-8").splitlines())


def test_the_folders_hold_python_files():
    assert {path.split("/")[0] for path in PYTHON_FILES} == set(FOLDERS)


@pytest.mark.parametrize("path", PYTHON_FILES)
def test_no_file_is_over_300_lines(path):
    assert lines(path) <= MAX_LINES, f"{path} has {lines(path)} lines, more than {MAX_LINES}: split it"


def test_the_language_model_class_is_about_100_lines():
    tree = ast.parse((ROOT / "rnn_guide" / "language_model.py").read_text(encoding="utf-8"))
    (rnnlm,) = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "RNNLM"]
    length = rnnlm.end_lineno - rnnlm.lineno + 1
    assert length <= 110, f"RNNLM is {length} lines; keep it about 100 (move plumbing out of the class)"


def test_the_readme_is_at_most_150_lines():
    assert lines("README.md") <= 150, f"README.md has {lines('README.md')} lines, more than 150"
