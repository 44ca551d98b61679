"""The cells of the coded questions of notebooks 5, 6 and 8 follow otter's format, state what
the question record says, keep the hidden seeds apart, and give no solution away.
"""

import re

import pytest
from question_blocks import cells, hidden_seeds, question_blocks, solution_lines, text

from rnn_guide import questions
from rnn_guide.questions import nb05, nb06, nb08

NOTEBOOKS = {
    "05_char_language_model.ipynb": nb05,
    "06_gradients.ipynb": nb06,
    "08_gated_cells.ipynb": nb08,
}
NAMES = [q.name for module in NOTEBOOKS.values() for q in module.QUESTIONS]
BLOCKS = {name: block for notebook in NOTEBOOKS for name, block in question_blocks(notebook).items()}


@pytest.mark.parametrize("name", NAMES)
def test_question_cells_follow_otters_format(name):
    block = BLOCKS[name]
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


@pytest.mark.parametrize("name", NAMES)
def test_the_prompt_states_the_records_difficulty_and_minutes(name):
    question = questions.get(name)
    prompt = text(BLOCKS[name][1])
    expected = f"**Your turn: {name}** ({question.difficulty}, about {question.minutes} minutes)"
    assert prompt.startswith(expected), prompt[:120]
    assert f"`{question.answer}(" in prompt
    for refused in question.refuse:  # the prompt says what is switched off
        assert refused.split(".")[-1] in prompt, refused


def test_hidden_seeds_differ_between_questions():
    seeds = [s for name in NAMES for s in hidden_seeds(BLOCKS[name])]
    assert len(seeds) == len(set(seeds)) and 0 not in seeds


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_no_cell_a_student_sees_gives_a_solution_away(notebook):
    """No solution line appears in a cell the student edition keeps: later cells use the library."""
    all_cells = cells(notebook)
    blocks = question_blocks(notebook, all_cells)
    hidden = [block[3] for block in blocks.values()]
    seen = "\n".join(
        text(c) for c in all_cells if c not in hidden and "remove-cell" not in c["metadata"].get("tags", [])
    )
    for name, block in blocks.items():
        for line in solution_lines(block[3]):
            if len(line) > 8 and not line.startswith("#"):
                assert line not in seen, f"{notebook}: {name}'s {line!r} appears in a cell students see"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_the_notebook_counts_its_questions_minutes(notebook):
    header = text(cells(notebook)[1])
    names = [n for n in NAMES if n in question_blocks(notebook)]
    count = {3: "Three", 4: "Four"}[len(names)]
    minutes = sum(questions.get(n).minutes for n in names)
    assert f"{count} questions ask you to write a function (about {minutes} minutes in all)" in header
