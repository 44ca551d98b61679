"""The coded questions of notebooks 1 to 4 and 7: the instructor's answers pass on fresh inputs,
in NumPy and in every framework; blank, wrong and shortcut answers fail with one line that does
not give the expected value away.

The answers below are the solution cells of the notebooks, written as a function of ``d2l``
(the notebooks use their global ``d2l``).
"""

import re

import numpy as np
import pytest
from question_blocks import failure

import rnn_guide
from rnn_guide import questions
from rnn_guide.questions import nb01, nb02, nb03, nb04, nb07

SEEDS = (0, 1, 2, 5, 11, 12, 13)
NAMES = [q.name for nb in (nb01, nb02, nb03, nb04, nb07) for q in nb.QUESTIONS]


def answers(d2l):
    """The instructor's answers (as in the notebooks), and a wrong and a shortcut one per question."""

    def shapes_mine(n, d, h, q):
        return (n, h), (n, q)

    def mlp_probs_mine(X, W_xh, b_h, W_hq, b_q):
        H = d2l.tanh(d2l.matmul(X, W_xh) + b_h)
        O = d2l.matmul(H, W_hq) + b_q
        E = d2l.exp(O)
        return E / d2l.reduce_sum(E, axis=1, keepdims=True)

    def rnn_step_mine(X_t, H_prev, W_xh, W_hh, b_h):
        return d2l.tanh(d2l.matmul(X_t, W_xh) + d2l.matmul(H_prev, W_hh) + b_h)

    def rnn_forward_mine(X, H0, W_xh, W_hh, b_h):
        H = d2l.zeros((d2l.shape(X)[1], d2l.shape(W_hh)[0])) if H0 is None else H0
        states = []
        for t in range(d2l.shape(X)[0]):
            H = rnn_step_mine(X[t], H, W_xh, W_hh, b_h)
            states.append(H)
        return d2l.stack(states, 0), H

    def contribution_mine(X, W_xh, W_hh, s):
        term = d2l.matmul(X[s], W_xh)
        for _ in range(d2l.shape(X)[0] - 1 - s):
            term = d2l.matmul(term, W_hh)
        return term

    def column_mine(X_t, H_prev, W, b_h, W_hq, b_q):
        XH = d2l.concat([X_t, H_prev], 1)
        H_t = d2l.tanh(d2l.matmul(XH, W) + b_h)
        return H_t, d2l.matmul(H_t, W_hq) + b_q

    def unrolled_mine(X, H0, W, b_h, W_hq, b_q):
        H, states, outputs = H0, [], []
        for t in range(d2l.shape(X)[0]):
            H, O_t = column_mine(X[t], H, W, b_h, W_hq, b_q)
            states.append(H)
            outputs.append(O_t)
        return d2l.stack(states, 0), d2l.stack(outputs, 0)

    def swapped_blocks_mine(X, H, W_xh, W_hh):
        HX = d2l.concat((H, X), 1)
        W_stacked = d2l.concat((W_hh, W_xh), 0)
        return HX, W_stacked

    def tolerance_mine(X, H, W_xh, W_hh):
        size = d2l.shape(W_xh)[0] + d2l.shape(W_hh)[0]
        scale = d2l.matmul(abs(X), abs(W_xh)) + d2l.matmul(abs(H), abs(W_hh))
        return (size + 1) * 2.0**-23 * float(rnn_guide.show(scale, 12).max())

    def output_shapes_mine(vocab, num_hiddens, batch_size):
        V = len(vocab)
        return (num_hiddens, V), (V,), (batch_size, V)

    def sensitivity_mine(X, W_xh, W_hh, b_h, eps=0.01, central=True):
        X_np, norms = d2l.numpy(X), []
        for s in range(X_np.shape[0]):
            ends = []
            for sign in (1, -1) if central else (1, 0):
                nudged = X_np.copy()
                nudged[s, 0, 0] += sign * eps
                ends.append(rnn_guide.rnn_forward(d2l.tensor(nudged), None, W_xh, W_hh, b_h)[1])
            norms.append(rnn_guide.show(d2l.norm(ends[0] - ends[1]), 12) / ((1 + central) * eps))
        return norms

    right = {
        "q1_shapes": shapes_mine,
        "q1_mlp_probs": mlp_probs_mine,
        "q2_rnn_step": rnn_step_mine,
        "q2_rnn_forward": rnn_forward_mine,
        "q2_step_contribution": contribution_mine,
        "q3_column": column_mine,
        "q3_unrolled": unrolled_mine,
        "q4_swapped_blocks": swapped_blocks_mine,
        "q4_tolerance": tolerance_mine,
        "q7_output_shapes": output_shapes_mine,
        "q7_sensitivity": sensitivity_mine,
    }
    wrong = {
        "q1_shapes": lambda n, d, h, q: ((n, d), (n, q)),  # H's shape taken from the inputs
        "q1_mlp_probs": lambda X, W_xh, b_h, W_hq, b_q: d2l.exp(  # no normalisation
            d2l.matmul(d2l.tanh(d2l.matmul(X, W_xh) + b_h), W_hq) + b_q
        ),
        "q2_rnn_step": lambda X_t, H_prev, W_xh, W_hh, b_h: d2l.tanh(  # the state forgotten
            d2l.matmul(X_t, W_xh) + b_h
        ),
        "q2_rnn_forward": lambda X, H0, W_xh, W_hh, b_h: rnn_forward_mine(  # H0 ignored
            X, None, W_xh, W_hh, b_h
        ),
        "q2_step_contribution": lambda X, W_xh, W_hh, s: d2l.matmul(  # one W_hh too many
            contribution_mine(X, W_xh, W_hh, s), W_hh
        ),
        "q3_column": lambda X_t, H_prev, W, b_h, W_hq, b_q: column_mine(  # the bias forgotten
            X_t, H_prev, W, 0.0 * b_h, W_hq, b_q
        ),
        "q3_unrolled": lambda X, H0, W, b_h, W_hq, b_q: unrolled_mine(  # zeros instead of H0
            X, d2l.zeros(d2l.shape(H0)), W, b_h, W_hq, b_q
        ),
        "q4_swapped_blocks": lambda X, H, W_xh, W_hh: (  # the weights in the old order
            d2l.concat((H, X), 1),
            d2l.concat((W_xh, W_hh), 0),
        ),
        "q4_tolerance": lambda X, H, W_xh, W_hh: tolerance_mine(X, H, W_xh, W_hh) * 7 / 8,
        "q7_output_shapes": lambda vocab, num_hiddens, batch_size: (  # <unk> forgotten
            (num_hiddens, len(vocab) - 1),
            (len(vocab) - 1,),
            (batch_size, len(vocab) - 1),
        ),
        "q7_sensitivity": lambda X, W_xh, W_hh, b_h: [  # not divided by 2 eps
            0.02 * v for v in sensitivity_mine(X, W_xh, W_hh, b_h)
        ],
    }
    shortcut = {
        "q1_mlp_probs": lambda X, W_xh, b_h, W_hq, b_q: d2l.softmax(
            d2l.matmul(d2l.tanh(d2l.matmul(X, W_xh) + b_h), W_hq) + b_q, axis=1
        ),
        "q2_rnn_step": lambda *args: rnn_guide.rnn_step(*args),
        "q2_rnn_forward": lambda *args: rnn_guide.rnn_forward(*args),
        "q2_step_contribution": lambda X, W_xh, W_hh, s: rnn_guide.rnn_forward(
            X, None, W_xh, W_hh, d2l.zeros((d2l.shape(W_hh)[0],)), phi=lambda z: z
        )[1],
        "q3_column": lambda X_t, H_prev, W, b_h, W_hq, b_q: rnn_guide.rnn_step(
            X_t, H_prev, W[: d2l.shape(X_t)[1]], W[d2l.shape(X_t)[1] :], b_h
        ),
        "q3_unrolled": lambda X, H0, W, b_h, W_hq, b_q: rnn_guide.rnn_forward(
            X, H0, W[: d2l.shape(X)[2]], W[d2l.shape(X)[2] :], b_h
        ),
        "q4_swapped_blocks": lambda X, H, W_xh, W_hh: rnn_guide.concat_check(X, H, W_xh, W_hh),
        "q4_tolerance": lambda X, H, W_xh, W_hh: rnn_guide.concat_check(X, H, W_xh, W_hh).tolerance,
    }
    return right, wrong, shortcut


def expected_numbers(name, d2l, seed):
    """The expected value's entries as the strings a message could print them as."""
    question = questions.get(name)
    expected = question.reference(d2l, *question.inputs(d2l, np.random.default_rng(seed)))
    flat = []

    def collect(value):
        if isinstance(value, (tuple, list)) and not all(isinstance(v, int) for v in value):
            for item in value:
                collect(item)
        elif isinstance(value, tuple):
            flat.append(str(value))
        else:
            array = np.asarray(rnn_guide.show(value, 12) if not np.isscalar(value) else value)
            flat.extend(f"{v:.4g}" for v in array.ravel() if abs(v) >= 1e-3)

    collect(expected)
    return [text for text in flat if len(re.sub(r"[^0-9]", "", text)) >= 3 or text.startswith("(")]


def test_every_question_of_these_notebooks_is_tested():
    assert set(NAMES) == set(answers(rnn_guide.get_backend("numpy"))[0])


def test_each_question_states_difficulty_and_minutes():
    for name in NAMES:
        question = questions.get(name)
        assert question.difficulty in ("easy", "medium", "hard") and 1 <= question.minutes <= 30


@pytest.mark.parametrize("name", NAMES)
def test_the_instructor_answer_passes_on_fresh_inputs(name, backend):
    right, _, _ = answers(backend)
    for seed in SEEDS:
        questions.check(name, right[name], backend, seed=seed)


@pytest.mark.parametrize("name", NAMES)
def test_a_blank_answer_fails_with_one_line(name, backend):
    def blank(*args): ...

    assert "replace the ..." in failure(name, blank, backend)
    assert "is not written yet" in failure(name, ..., backend)


@pytest.mark.parametrize("name", NAMES)
def test_a_wrong_answer_fails_without_giving_the_expected_value(name, backend):
    _, wrong, _ = answers(backend)
    for seed in (0, 21):  # 21: H0 is a tensor in q2_rnn_forward
        message = failure(name, wrong[name], backend, seed)
        for text in expected_numbers(name, backend, seed):
            assert text not in message, f"{name}: the message gives {text} away: {message}"


@pytest.mark.parametrize("name", [name for name in NAMES if questions.get(name).refuse])
def test_a_refused_library_call_fails_naming_it(name, backend):
    question = questions.get(name)
    _, _, shortcut = answers(backend)
    message = failure(name, shortcut[name], backend)
    assert any(refused in message for refused in question.refuse), message
    assert "switched off" in message


def test_hidden_seeds_cover_both_starts_of_rnn_forward():
    """The notebook's hidden test of q2_rnn_forward uses seeds 21-23: H0 = None and a tensor."""
    d2l = rnn_guide.get_backend("numpy")
    question = questions.get("q2_rnn_forward")
    starts = {question.inputs(d2l, np.random.default_rng(seed))[1] is None for seed in (21, 22, 23)}
    assert starts == {True, False}


def test_sensitivity_may_be_a_list_an_array_or_a_tensor(backend):
    right, _, _ = answers(backend)
    as_list = right["q7_sensitivity"]
    questions.check("q7_sensitivity", lambda *a: np.array(as_list(*a)), backend)
    questions.check("q7_sensitivity", lambda *a: backend.tensor(np.array(as_list(*a))), backend)
    assert "should return numbers" in failure("q7_sensitivity", lambda *a: ["a"] * 20, backend)


def test_a_copied_number_cannot_pass():
    """A constant answer (numbers copied from one run) fails on the other seeds."""
    d2l = rnn_guide.get_backend("numpy")
    right, _, _ = answers(d2l)
    question = questions.get("q4_tolerance")
    copied = right["q4_tolerance"](*question.inputs(d2l, np.random.default_rng(0)))
    questions.check("q4_tolerance", lambda *args: copied, d2l, seed=0)
    failure("q4_tolerance", lambda *args: copied, d2l, seed=12)
