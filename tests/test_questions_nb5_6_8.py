"""The coded questions of notebooks 5, 6 and 8: the instructor's answers pass on fresh inputs, in
NumPy and in every framework; blank, wrong and shortcut answers fail with one line that does not
give the expected value away; each question's cells follow otter's format and state what the
question record says.

The right answers are the notebooks' own solution cells, run with the backend under test as
``d2l`` (the notebooks use their global ``d2l``).
"""

import math
import re
from pathlib import Path

import numpy as np
import pytest
from question_blocks import failure, hidden_seeds, question_blocks, text

import rnn_guide
from rnn_guide import questions
from rnn_guide.questions import nb05, nb06, nb08

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {
    "05_char_language_model.ipynb": nb05,
    "06_gradients.ipynb": nb06,
    "08_gated_cells.ipynb": nb08,
}
NAMES = [q.name for module in NOTEBOOKS.values() for q in module.QUESTIONS]
SEEDS = (0, 1, 2, 3)


BLOCKS = {name: block for notebook in NOTEBOOKS for name, block in question_blocks(notebook).items()}


def right_answers(d2l):
    """The solution cells of the three notebooks, run with ``d2l``: {answer name: function}."""
    namespace = {"d2l": d2l, "np": np, "math": math, "rnn_guide": rnn_guide}
    for block in BLOCKS.values():
        exec(text(block[3]), namespace)  # noqa: S102 (the notebooks' own solution code)
    return {q.answer: namespace[q.answer] for q in map(questions.get, NAMES)}


def wrong_answers(d2l, right):
    """One plausible mistake per question."""

    def mean_of_perplexities(logits_list, targets_list):  # every batch weighs the same
        return float(np.mean([right["perplexity_mine"]([O], [y]) for O, y in zip(logits_list, targets_list)]))

    def same_choice_again(model, prefix_ids, num_chars):  # the choice is never fed back in
        return right["greedy_mine"](model, prefix_ids, 1) * num_chars

    def bptt_without_recurrence(X, H0, W_xh, W_hh, b_h, dH):  # what step t + 1 sends back is lost
        X, H0, W_xh, W_hh, b_h, dH = (d2l.numpy(a) for a in (X, H0, W_xh, W_hh, b_h, dH))
        H = [H0]
        for t in range(len(X)):
            H.append(np.tanh(X[t] @ W_xh + H[t] @ W_hh + b_h))
        dZ = [dH[t] * (1 - H[t + 1] ** 2) for t in range(len(X))]
        return (
            sum(X[t].T @ dZ[t] for t in range(len(X))),
            sum(H[t].T @ dZ[t] for t in range(len(X))),
            sum(dZ[t].sum(axis=0) for t in range(len(X))),
            dZ[0] @ W_hh.T,
        )

    def clip_with_squared_norm(grads, theta):  # the square root forgotten
        squared = float(d2l.numpy(sum(d2l.reduce_sum(g * g) for g in grads)))
        return [g * min(1.0, theta / squared) for g in grads], squared

    def gru_swapped(X_t, H_prev, p):  # Z and 1 - Z swapped
        H_t = right["gru_step_mine"](X_t, H_prev, p)
        Z = d2l.sigmoid(d2l.matmul(X_t, p.W_xz) + d2l.matmul(H_prev, p.W_hz) + p.b_z)
        H_tilde = (H_t - Z * H_prev) / (1 - Z)
        return (1 - Z) * H_prev + Z * H_tilde

    def lstm_no_forget(X_t, state, q):  # the old memory kept whole, F ignored
        H_prev, C_prev = state
        _, C_t = right["lstm_step_mine"](X_t, state, q)
        F = d2l.sigmoid(d2l.matmul(X_t, q.W_xf) + d2l.matmul(H_prev, q.W_hf) + q.b_f)
        C_wrong = C_t - F * C_prev + C_prev
        O = d2l.sigmoid(d2l.matmul(X_t, q.W_xo) + d2l.matmul(H_prev, q.W_ho) + q.b_o)
        return O * d2l.tanh(C_wrong), C_wrong

    return {
        "q5_windows": lambda corpus, num_steps, starts: (
            right["windows_mine"](corpus, num_steps, starts)[:1] * 2
        ),
        "q5_perplexity": mean_of_perplexities,
        "q5_greedy": same_choice_again,
        "q5_sample": lambda model, prefix, n, temperature, u: right["sample_mine"](model, prefix, n, 1.0, u),
        "q6_clip": clip_with_squared_norm,
        "q6_bptt": bptt_without_recurrence,
        "q6_truncated": lambda X, H0, W_xh, W_hh, b_h, dH, k, bptt: bptt(X, H0, W_xh, W_hh, b_h, dH)[:3],
        "q8_gru_step": gru_swapped,
        "q8_lstm_step": lstm_no_forget,
        "q8_param_counts": lambda d, h, q: tuple(
            n - k * h - q for n, k in zip(right["param_counts_mine"](d, h, q), (1, 3, 4))
        ),
    }


def shortcut_answers(d2l):
    """One call of a refused library function per question that refuses any."""

    def by_autograd(X, H0, W_xh, W_hh, b_h, dH, cut=None):
        def loss(leaves, X, dH):
            W_xh, W_hh, b_h, H = leaves
            L = 0.0
            for t in range(d2l.shape(X)[0]):
                H = d2l.stop_gradient(H) if cut and t and t % cut == 0 else H
                H = d2l.tanh(d2l.matmul(X[t], W_xh) + d2l.matmul(H, W_hh) + b_h)
                L = L + d2l.reduce_sum(H * dH[t])
            return L, H

        return tuple(d2l.value_and_grad(loss)((W_xh, W_hh, b_h, H0), X, dH)[2])

    return {
        "q5_perplexity": lambda logits_list, targets_list: math.exp(
            float(d2l.numpy(rnn_guide.lm_math.cross_entropy(d2l, logits_list[0], targets_list[0])))
        ),
        "q5_greedy": lambda model, prefix, n: model.predict(model.vocab.decode(prefix), n),
        "q5_sample": lambda model, prefix, n, temperature, u: rnn_guide.generation.predict(
            model, model.vocab.decode(prefix), n, temperature, 0
        ),
        "q6_clip": lambda grads, theta: d2l.clip_by_global_norm(grads, theta),
        "q6_bptt": by_autograd,
        "q6_truncated": lambda X, H0, W_xh, W_hh, b_h, dH, k, bptt: by_autograd(
            X, H0, W_xh, W_hh, b_h, dH, k
        )[:3],
        "q8_gru_step": lambda X_t, H_prev, p: rnn_guide.gru_step(X_t, H_prev, p),
        "q8_lstm_step": lambda X_t, state, q: rnn_guide.lstm_step(X_t, state, q),
        "q8_param_counts": lambda d, h, q: tuple(
            sum(int(np.size(p)) for p in init(d, h, q, "numpy"))
            for init in (rnn_guide.init_params, rnn_guide.init_gru_params, rnn_guide.init_lstm_params)
        ),
    }


def expected_texts(name, d2l, seed):
    """The expected value's entries as a message could print them (3 significant digits or more)."""
    question = questions.get(name)
    expected = question.reference(d2l, *question.inputs(d2l, np.random.default_rng(seed)))
    flat = []

    def collect(value):
        if isinstance(value, (tuple, list)):
            for item in value:
                collect(item)
            return
        array = np.asarray(value if isinstance(value, (int, float)) else rnn_guide.show(value, 12))
        for v in array.ravel():
            if float(v) == int(v) and abs(v) >= 100:  # a count: its digits
                flat.append(str(int(v)))
            elif float(v) != int(v) and abs(v) >= 1e-3:
                flat.extend({f"{v:.3g}", f"{v:.4g}", f"{v:.6g}"})

    collect(expected)
    return [t for t in flat if len(re.sub(r"[^0-9]", "", t)) >= 3]


# ------------------------------------------------------------------ the answers
def test_every_question_of_these_notebooks_is_in_its_module_and_tested():
    assert sorted(BLOCKS) == sorted(NAMES)
    d2l = rnn_guide.get_backend("numpy")
    assert {questions.get(n).answer for n in NAMES} == set(right_answers(d2l))
    assert set(wrong_answers(d2l, right_answers(d2l))) == set(NAMES)


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
    wrong = wrong_answers(backend, right_answers(backend))[name]
    for seed in (0, *hidden_seeds(BLOCKS[name])):
        message = failure(name, wrong, backend, seed)
        for shown in expected_texts(name, backend, seed):
            assert shown not in message, f"{name}: the message gives {shown} away: {message}"


@pytest.mark.parametrize("name", [name for name in NAMES if questions.get(name).refuse])
def test_a_refused_library_call_fails_naming_it(name, backend):
    question = questions.get(name)
    shortcut = shortcut_answers(backend)
    message = failure(name, shortcut[name], backend)
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


# ------------------------------------------------------------- what is drawn
def test_hidden_seeds_of_the_clipping_question_clip_and_leave_alone():
    d2l = rnn_guide.get_backend("numpy")
    question = questions.get("q6_clip")
    clipped = set()
    for seed in (0, *hidden_seeds(BLOCKS["q6_clip"])):
        grads, theta = question.inputs(d2l, np.random.default_rng(seed))
        clipped.add(question.reference(d2l, grads, theta)[1] > theta)
    assert clipped == {True, False}


def test_generation_inputs_leave_no_choice_too_close_to_call():
    """Every argmax wins by more than nb05.MARGIN, every uniform is that far from the cdf, and the
    temperature is far from 1."""
    d2l = rnn_guide.get_backend("numpy")
    for seed in range(20):
        model, prefix, n = questions.get("q5_greedy").inputs(d2l, np.random.default_rng(seed))
        params = rnn_guide.RNNParams(*(d2l.numpy(p) for p in model.params))
        gaps = []
        nb05._run(
            params, prefix, n, lambda k, O, gaps=gaps: gaps.append(nb05._greedy_choice(k, O)) or gaps[-1][0]
        )
        assert min(gap for _, gap in gaps) > nb05.MARGIN
        model, prefix, n, temperature, u = questions.get("q5_sample").inputs(d2l, np.random.default_rng(seed))
        params = rnn_guide.RNNParams(*(d2l.numpy(p) for p in model.params))
        draws = []

        def draw(k, O, draws=draws, temperature=temperature, u=u):
            draws.append(nb05._sampled_choice(O, temperature, u[k]))
            return draws[-1][0]

        nb05._run(params, prefix, n, draw)
        assert min(distance for _, distance in draws) > nb05.MARGIN
        assert temperature < 0.75 or temperature > 1.45


def test_the_greedy_reference_is_what_the_library_writes():
    """Where <unk> (never written by the library) is not the argmax, predict gives the same ids."""
    d2l = rnn_guide.get_backend("numpy")
    question, agreed = questions.get("q5_greedy"), 0
    for seed in range(10):
        model, prefix, n = question.inputs(d2l, np.random.default_rng(seed))
        ids = question.reference(d2l, model, prefix, n)
        if model.vocab.unk in ids or model.vocab.unk in prefix:
            continue
        text = model.predict(model.vocab.decode(prefix), n)
        assert model.vocab.encode(text[len(prefix) :]) == ids
        agreed += 1
    assert agreed >= 3


def test_truncation_changes_the_gradient_and_the_reference_is_autograd_with_stop_gradient(backend):
    question = questions.get("q6_truncated")
    args = question.inputs(backend, np.random.default_rng(5))
    *tensors, num_steps, _ = args
    arrays = [backend.numpy(a) for a in tensors]
    truncated = question.reference(backend, *args)
    by_hand = nb06._by_hand(*arrays, cut=num_steps)[:3]
    full = nb06._by_hand(*arrays)[:3]
    for t, h in zip(truncated, by_hand):
        np.testing.assert_allclose(backend.numpy(t), h, atol=1e-4, rtol=1e-4)
    assert max(np.abs(h - f).max() for h, f in zip(by_hand, full)) > 0.05


def test_the_truncation_question_does_not_depend_on_the_bptt_answer(backend):
    """q6_truncated's solution runs with the bptt it is given, whatever bptt_mine is."""
    right = right_answers(backend)
    namespace = {"d2l": backend, "np": np, "math": math, "rnn_guide": rnn_guide, "bptt_mine": None}
    exec(text(BLOCKS["q6_truncated"][3]), namespace)  # noqa: S102 (the notebook's solution)
    assert namespace["truncated_bptt_mine"] is not right["truncated_bptt_mine"]
    questions.check("q6_truncated", namespace["truncated_bptt_mine"], backend, seed=1)
    # and the function handed over is a right answer to q6_bptt
    questions.check("q6_bptt", nb06.bptt_by_hand, backend, seed=1)
