"""Notebook 2's coded questions: one step, the loop over time, and where an input ends up."""

from ..recurrence import rnn_forward
from .core import Question, normal_draw


def _step_inputs(d2l, rng):
    n, d, h = (int(k) for k in rng.integers(2, 7, size=3))
    draw = normal_draw(d2l, rng)
    return draw(n, d), draw(n, h), draw(d, h), draw(h, h), draw(h)


def _step_reference(d2l, X_t, H_prev, W_xh, W_hh, b_h):
    return d2l.tanh(d2l.matmul(X_t, W_xh) + d2l.matmul(H_prev, W_hh) + b_h)


def _forward_inputs(d2l, rng):
    zero_start = bool(rng.random() < 0.5)  # H0 = None (zeros) for some seeds, a tensor for others
    num_steps, n, d, h = (int(k) for k in rng.integers((1, 2, 2, 2), 7))
    draw = normal_draw(d2l, rng)
    H0 = None if zero_start else draw(n, h)
    return draw(num_steps, n, d), H0, draw(d, h), draw(h, h), draw(h)


def _forward_reference(d2l, X, H0, W_xh, W_hh, b_h):
    return rnn_forward(X, H0, W_xh, W_hh, b_h)


def _contribution_inputs(d2l, rng):
    num_steps, n, d, h = (int(k) for k in rng.integers(2, 7, size=4))
    s = int(rng.integers(0, num_steps))
    draw = normal_draw(d2l, rng)
    return draw(num_steps, n, d), draw(d, h), normal_draw(d2l, rng, 0.7)(h, h), s


def _contribution_reference(d2l, X, W_xh, W_hh, s):
    term = d2l.matmul(X[s], W_xh)  # X_s enters at step s ...
    for _ in range(d2l.shape(X)[0] - 1 - s):  # ... and goes through W_hh once per later step
        term = d2l.matmul(term, W_hh)
    return term


QUESTIONS = (
    Question(
        name="q2_rnn_step",
        answer="rnn_step_mine",
        inputs=_step_inputs,
        reference=_step_reference,
        refuse=("rnn_guide.rnn_step", "rnn_guide.rnn_forward"),
        difficulty="easy",
        minutes=5,
    ),
    Question(
        name="q2_rnn_forward",
        answer="rnn_forward_mine",
        inputs=_forward_inputs,
        reference=_forward_reference,
        refuse=("rnn_guide.rnn_forward",),
        difficulty="medium",
        minutes=10,
    ),
    Question(
        name="q2_step_contribution",
        answer="contribution_mine",
        inputs=_contribution_inputs,
        reference=_contribution_reference,
        refuse=("rnn_guide.rnn_step", "rnn_guide.rnn_forward"),
        difficulty="hard",
        minutes=15,
    ),
)
