"""The cells of the coded questions of notebooks 5, 6 and 8 follow otter's format, state what
the question record says, keep the hidden seeds apart, and give no solution away.
"""

import pytest
from question_blocks import assert_otter_format, cells, hidden_seeds, question_blocks, solution_lines, text

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
    assert_otter_format(name, BLOCKS[name])


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
