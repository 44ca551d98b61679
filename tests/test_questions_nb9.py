"""The questions of notebook 9: the instructor's answers pass on fresh inputs, in NumPy and in every
framework; blank, wrong and shortcut answers fail with one line that does not give the expected
value away; the cells follow otter's format, state what the question record says, and give no
solution away; the written question has its answer and its checklist.

The right answers are the notebook's own solution cells, run with the backend under test as
``d2l`` (the notebook uses its global ``d2l``).
"""

import re
from pathlib import Path

import numpy as np
import pytest
from question_blocks import (
    assert_otter_format,
    cells,
    failure,
    hidden_seeds,
    question_blocks,
    solution_lines,
    text,
)

import rnn_guide
from rnn_guide import checks, questions
from rnn_guide._cells import get_cell
from rnn_guide.questions import nb09
from rnn_guide.stacked import StackParams, init_stacked_params, stacked_forward, used_names

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "09_deeper_both_ways.ipynb"
NAMES = [q.name for q in nb09.QUESTIONS]
WRITTEN = "q9_why_not_generate"
BLOCKS = {name: block for name, block in question_blocks(NOTEBOOK).items() if name in NAMES}
SEEDS = (0, 1, 2, 3)


def right_answers(d2l):
    """The notebook's solution cells, run with ``d2l``: {answer name: function}."""
    namespace = {"d2l": d2l, "np": np, "rnn_guide": rnn_guide}
    for block in BLOCKS.values():
        exec(text(block[3]), namespace)  # noqa: S102 (the notebook's own solution code)
    return {q.answer: namespace[q.answer] for q in map(questions.get, NAMES)}


def reverse(d2l, x):
    return d2l.take_rows(x, d2l.tensor(np.arange(d2l.shape(x)[0])[::-1].copy()))


def bidirectional_mistakes(d2l):
    """Plausible mistakes in a bidirectional layer, by name."""

    def run(X, p):
        return rnn_guide.gru_forward(X, None, p)[0]

    return {
        "backward states left in reversed order": lambda X, f, b: d2l.concat(
            [run(X, f), run(reverse(d2l, X), b)], axis=-1
        ),
        "backward direction reads X forward": lambda X, f, b: d2l.concat([run(X, f), run(X, b)], axis=-1),
        "halves swapped": lambda X, f, b: d2l.concat(
            [reverse(d2l, run(reverse(d2l, X), b)), run(X, f)], axis=-1
        ),
        "the forward direction twice": lambda X, f, b: d2l.concat([run(X, f), run(X, f)], axis=-1),
    }


def size_without_biases(cell, num_inputs, num_hiddens, num_layers, bidirectional):
    gates = {"rnn": 1, "gru": 3, "lstm": 4}[cell]
    K, h = (2 if bidirectional else 1), num_hiddens
    return sum(K * gates * ((num_inputs if l == 0 else K * h) * h + h * h) for l in range(num_layers))


def size_reading_one_direction(cell, num_inputs, num_hiddens, num_layers, bidirectional):
    """Layers above the first read h features, as if the layer below had one direction."""
    gates = {"rnn": 1, "gru": 3, "lstm": 4}[cell]
    K, h = (2 if bidirectional else 1), num_hiddens
    return sum(K * gates * ((num_inputs if l == 0 else h) * h + h * h + h) for l in range(num_layers))


def wrong_answers(d2l):
    """One plausible mistake per question."""
    return {
        "q9_bidirectional": bidirectional_mistakes(d2l)["backward states left in reversed order"],
        "q9_stack_size": size_without_biases,
    }


def shortcut_answers(d2l):
    """One call of a refused library function per question."""

    def count(cell, num_inputs, num_hiddens, num_layers, bidirectional):
        stack = init_stacked_params(cell, num_inputs, num_hiddens, num_layers, "numpy", bidirectional)
        names = used_names(get_cell(cell, "test"))
        return sum(int(np.size(getattr(p, n))) for layer in stack.layers for p in layer for n in names)

    return {
        "q9_bidirectional": lambda X, f, b: stacked_forward(X, None, StackParams(((f, b),)))[0],
        "q9_stack_size": count,
    }


def expected_texts(name, d2l, seed):
    """The expected value's entries as a message could print them (3 significant digits or more)."""
    question = questions.get(name)
    expected = question.reference(d2l, *question.inputs(d2l, np.random.default_rng(seed)))
    array = np.asarray(expected if isinstance(expected, int) else rnn_guide.show(expected, 12))
    flat = []
    for v in array.ravel():
        if float(v) == int(v) and abs(v) >= 100:  # a count: its digits
            flat.append(str(int(v)))
        elif float(v) != int(v) and abs(v) >= 1e-3:
            flat.extend({f"{v:.3g}", f"{v:.4g}", f"{v:.6g}"})
    return [t for t in flat if len(re.sub(r"[^0-9]", "", t)) >= 3]


# ------------------------------------------------------------------ the answers
def test_every_coded_question_of_the_notebook_is_in_its_module_and_tested():
    coded = [n for n, b in question_blocks(NOTEBOOK).items() if "manual: true" not in text(b[0])]
    assert sorted(coded) == sorted(NAMES)
    d2l = rnn_guide.get_backend("numpy")
    assert {questions.get(n).answer for n in NAMES} == set(right_answers(d2l))
    assert set(wrong_answers(d2l)) == set(shortcut_answers(d2l)) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_the_instructor_answer_passes_on_fresh_inputs(name, backend):
    answer = right_answers(backend)[questions.get(name).answer]
    for seed in SEEDS + hidden_seeds(BLOCKS[name]):
        questions.check(name, answer, backend, seed=seed)


@pytest.mark.parametrize("name", NAMES)
def test_a_blank_answer_fails_with_one_line(name, backend):
    def blank(*args): ...

    assert "replace the ..." in failure(name, blank, backend)
    assert "is not written yet" in failure(name, ..., backend)


@pytest.mark.parametrize("name", NAMES)
def test_a_wrong_answer_fails_without_giving_the_expected_value(name, backend):
    wrong = wrong_answers(backend)[name]
    for seed in (0, *hidden_seeds(BLOCKS[name])):
        message = failure(name, wrong, backend, seed)
        for shown in expected_texts(name, backend, seed):
            assert shown not in message, f"{name}: the message gives {shown} away: {message}"


@pytest.mark.parametrize("mistake", list(bidirectional_mistakes(rnn_guide.get_backend("numpy"))))
def test_every_usual_bidirectional_mistake_fails(mistake, backend):
    wrong = bidirectional_mistakes(backend)[mistake]
    for seed in (0, *hidden_seeds(BLOCKS["q9_bidirectional"])):
        failure("q9_bidirectional", wrong, backend, seed)


def test_a_stack_whose_upper_layers_read_one_direction_fails_the_hidden_tests():
    """The hidden seeds draw a deep bidirectional stack, where layer 2 reads 2h features."""
    d2l = rnn_guide.get_backend("numpy")
    hidden = hidden_seeds(BLOCKS["q9_stack_size"])
    messages = []
    for seed in hidden:
        try:
            questions.check("q9_stack_size", size_reading_one_direction, d2l, seed=seed)
        except checks.CheckFailed as err:
            messages.append(str(err))
    assert messages, "every hidden seed passes an answer that forgets the second direction"


def test_hidden_seeds_of_the_size_question_cover_the_cells_and_both_kinds_of_stack():
    d2l = rnn_guide.get_backend("numpy")
    drawn = [
        questions.get("q9_stack_size").inputs(d2l, np.random.default_rng(s))
        for s in hidden_seeds(BLOCKS["q9_stack_size"])
    ]
    assert {cell for cell, *_ in drawn} == {"rnn", "gru", "lstm"}
    assert {bi for *_, bi in drawn} == {True, False}
    assert any(layers > 1 and bi for *_, layers, bi in drawn)


@pytest.mark.parametrize("name", NAMES)
def test_a_refused_library_call_fails_naming_it(name, backend):
    question = questions.get(name)
    message = failure(name, shortcut_answers(backend)[name], backend)
    assert any(refused in message for refused in question.refuse), message
    assert "switched off" in message


def test_every_refused_name_is_a_refusable_function():
    marked = set()
    for path in (ROOT / "rnn_guide").rglob("*.py"):
        marked |= set(re.findall(r'@refusable\("([\w.]+)"\)', path.read_text()))
    for name in NAMES:
        assert set(questions.get(name).refuse) <= marked, name


def test_a_copied_answer_cannot_pass():
    """The right result for one seed, returned whatever the inputs, fails on the hidden seeds."""
    d2l = rnn_guide.get_backend("numpy")
    right = right_answers(d2l)
    for name in NAMES:
        question = questions.get(name)
        copied = right[question.answer](*question.inputs(d2l, np.random.default_rng(0)))
        questions.check(name, lambda *args, copied=copied: copied, d2l, seed=0)
        for seed in hidden_seeds(BLOCKS[name]):
            failure(name, lambda *args, copied=copied: copied, d2l, seed)


# -------------------------------------------------------------- the notebook
@pytest.mark.parametrize("name", NAMES)
def test_question_cells_follow_otters_format(name):
    assert_otter_format(name, BLOCKS[name])


def test_the_written_question_has_an_answer_and_a_checklist():
    all_cells = cells(NOTEBOOK)
    start = next(
        i for i, c in enumerate(all_cells) if text(c).startswith(f"# BEGIN QUESTION\nname: {WRITTEN}")
    )
    block = all_cells[start : start + 7]
    assert "manual: true" in text(block[0]) and re.search(r"points: [1-9]", text(block[0]))
    assert [c["cell_type"] for c in block] == ["raw", "markdown", "raw", "markdown", "raw", "raw", "markdown"]
    assert [text(block[i]) for i in (2, 4, 5)] == ["# BEGIN SOLUTION", "# END SOLUTION", "# END QUESTION"]
    assert text(block[1]).startswith(f"**Your turn: {WRITTEN}** (written, ")
    assert text(block[3]).startswith("**Answer.**")
    assert text(block[6]).startswith("**Check yourself.**")


@pytest.mark.parametrize("name", NAMES)
def test_the_prompt_states_the_records_difficulty_and_minutes(name):
    question = questions.get(name)
    prompt = text(BLOCKS[name][1])
    expected = f"**Your turn: {name}** ({question.difficulty}, about {question.minutes} minutes)"
    assert prompt.startswith(expected), prompt[:120]
    assert f"`{question.answer}(" in prompt
    for refused in question.refuse:  # the prompt says what is switched off
        assert refused.split(".")[-1] in prompt, refused


def test_hidden_seeds_differ_between_questions_and_from_other_notebooks():
    seeds = [s for name in NAMES for s in hidden_seeds(BLOCKS[name])]
    assert len(seeds) == len(set(seeds)) and 0 not in seeds
    assert all(900 < s < 1000 for s in seeds)  # notebook 8 uses the 800s


def test_no_cell_a_student_sees_gives_a_solution_away():
    """No solution line appears in a cell the student edition keeps: later cells use the library."""
    all_cells = cells(NOTEBOOK)
    hidden = [block[3] for block in BLOCKS.values()]
    seen = "\n".join(
        text(c) for c in all_cells if c not in hidden and "remove-cell" not in c["metadata"].get("tags", [])
    )
    for name, block in BLOCKS.items():
        for line in solution_lines(block[3]):
            if len(line) > 8 and not line.startswith("#"):
                assert line not in seen, f"{name}'s {line!r} appears in a cell students see"


def test_the_notebook_counts_its_questions_minutes():
    header = text(cells(NOTEBOOK)[1])
    minutes = sum(questions.get(n).minutes for n in NAMES)
    assert f"Two questions ask you to write a function (about {minutes} minutes in all)" in header
    assert "one asks for an answer in words" in header
