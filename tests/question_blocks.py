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


def assert_otter_format(name, block):
    """A coded question's eleven cells, as otter assign and the classroom edition expect them."""
    question = questions.get(name)
    kinds = [(c["cell_type"], "remove-cell" in c["metadata"].get("tags", [])) for c in block]
    assert kinds == [
        ("raw", True),
        ("markdown", False),
        ("raw", True),
        ("code", False),
        ("raw", True),
        ("raw", True),
        ("code", True),
        ("code", True),
        ("raw", True),
        ("raw", True),
        ("code", False),
    ]
    points = int(re.search(r"points: (\d+)", text(block[0])).group(1))
    assert [text(block[i]) for i in (2, 4, 5, 8, 9)] == [
        "# BEGIN SOLUTION",
        "# END SOLUTION",
        "# BEGIN TESTS",
        "# END TESTS",
        "# END QUESTION",
    ]
    assert text(block[6]) == (
        '""" # BEGIN TEST CONFIG\npoints: 0\n""" # END TEST CONFIG\nfrom rnn_guide import questions\n\n'
        f'questions.check("{name}", {question.answer}, d2l)'
    )
    assert text(block[7]).startswith(f'""" # BEGIN TEST CONFIG\npoints: {points}\nhidden: true\n')
    assert f'questions.check("{name}", {question.answer}, d2l, seed=seed)' in text(block[7])
    assert text(block[10]) == f'rnn_guide.questions.feedback("{name}", {question.answer}, d2l)'
    # the def line and a docstring stay for the student; otter turns the block into one "..."
    lines = text(block[3]).splitlines()
    assert lines[0].startswith(f"def {question.answer}(") and lines[1].strip().startswith('"""')
    assert lines[2] == "    # BEGIN SOLUTION" and lines[-1] == "    # END SOLUTION"
    assert all(line.endswith("  # SOLUTION") for line in lines[3:-1])
