"""Notebook 2's coded questions: the recurrence, one step and a loop."""

from .core import Question


def _step_inputs(d2l, rng):
    n, d, h = (int(k) for k in rng.integers(2, 7, size=3))

    def draw(*shape):
        return d2l.tensor(rng.normal(0.0, 0.5, size=shape).astype("float32"))

    return draw(n, d), draw(n, h), draw(d, h), draw(h, h), draw(h)


def _step_reference(d2l, X_t, H_prev, W_xh, W_hh, b_h):
    return d2l.tanh(d2l.matmul(X_t, W_xh) + d2l.matmul(H_prev, W_hh) + b_h)


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
)
