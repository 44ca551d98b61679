"""Reading the question blocks of an instructor notebook, and the one-line failure of a check.

Shared by the tests of the coded questions (test_questions_*.py, test_question_cells.py). Not a
test module.
"""

import json
import re
from pathlib import Path

import pytest

from rnn_guide import checks, questions

ROOT = Path(__file__).resolve().parents[1]


def cells(notebook):
    return json.loads((ROOT / "rnn_guide" / "notebooks" / notebook).read_text())["cells"]


def text(cell):
    return "".join(cell["source"])


def question_blocks(notebook, all_cells=None):
    """{name: the cells from '# BEGIN QUESTION' to the feedback cell after '# END QUESTION'}."""
    found, all_cells = {}, cells(notebook) if all_cells is None else all_cells
    for i, cell in enumerate(all_cells):
        match = re.match(r"# BEGIN QUESTION\nname: (\w+)", text(cell))
        if cell["cell_type"] == "raw" and match:
            found[match.group(1)] = all_cells[i : i + 11]
    return found


def hidden_seeds(block):
    """The seeds of a question block's hidden test (its eighth cell)."""
    return tuple(int(s) for s in re.search(r"for seed in \(([\d, ]+)\)", text(block[7])).group(1).split(","))


def solution_lines(cell):
    return [
        line.replace("# SOLUTION", "").strip()
        for line in text(cell).splitlines()
        if line.endswith("# SOLUTION")
    ]


def failure(name, answer, d2l, seed=0):
    with pytest.raises(checks.CheckFailed) as info:
        questions.check(name, answer, d2l, seed=seed)
    message = str(info.value)
    assert "\n" not in message and message.strip(), f"{name}: not one line: {message!r}"
    return message
