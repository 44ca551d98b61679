"""Notebook 3's coded questions: one column of the unrolled chain, then the whole chain."""

from ..recurrence import output_layer, rnn_forward, rnn_step
from .core import Question, normal_draw


def _split(d2l, W, d):
    """[W_xh; W_hh] cut back into W_xh (its first d rows) and W_hh."""
    return W[:d], W[d:]


def _column_inputs(d2l, rng):
    n, d, h, q = (int(k) for k in rng.integers(2, 7, size=4))
    draw = normal_draw(d2l, rng, 0.5)
    W = d2l.concat([draw(d, h), draw(h, h)], 0)  # [W_xh; W_hh], (d + h, h)
    return draw(n, d), draw(n, h), W, draw(h), draw(h, q), draw(q)


def _column_reference(d2l, X_t, H_prev, W, b_h, W_hq, b_q):
    W_xh, W_hh = _split(d2l, W, d2l.shape(X_t)[1])
    H_t = rnn_step(X_t, H_prev, W_xh, W_hh, b_h)
    return H_t, output_layer(H_t, W_hq, b_q)


def _unrolled_inputs(d2l, rng):
    num_steps, n, d, h, q = (int(k) for k in rng.integers((1, 2, 2, 2, 2), 7))
    draw = normal_draw(d2l, rng, 0.5)
    W = d2l.concat([draw(d, h), draw(h, h)], 0)
    return draw(num_steps, n, d), draw(n, h), W, draw(h), draw(h, q), draw(q)


def _unrolled_reference(d2l, X, H0, W, b_h, W_hq, b_q):
    W_xh, W_hh = _split(d2l, W, d2l.shape(X)[2])
    H_all, _ = rnn_forward(X, H0, W_xh, W_hh, b_h)
    O_all = d2l.stack([output_layer(H_all[t], W_hq, b_q) for t in range(d2l.shape(X)[0])], 0)
    return H_all, O_all


QUESTIONS = (
    Question(
        name="q3_column",
        answer="column_mine",
        inputs=_column_inputs,
        reference=_column_reference,
        refuse=("rnn_guide.rnn_step", "rnn_guide.rnn_forward"),
        difficulty="easy",
        minutes=5,
    ),
    Question(
        name="q3_unrolled",
        answer="unrolled_mine",
        inputs=_unrolled_inputs,
        reference=_unrolled_reference,
        refuse=("rnn_guide.rnn_forward",),
        difficulty="medium",
        minutes=10,
    ),
)
