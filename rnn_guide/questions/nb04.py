"""Notebook 4's coded questions: the concatenated form with the state first, and its tolerance."""

from ..recurrence import concat_check
from .core import Question, compare_close, normal_draw


def _blocks_inputs(d2l, rng):
    n, d, h = (int(k) for k in rng.choice(range(1, 9), size=3, replace=False))  # d != h
    draw = normal_draw(d2l, rng, 1.0)
    return draw(n, d), draw(n, h), draw(d, h), draw(h, h)


def _blocks_reference(d2l, X, H, W_xh, W_hh):
    return d2l.concat((H, X), 1), d2l.concat((W_hh, W_xh), 0)


def _tolerance_inputs(d2l, rng):
    n, d, h = (int(k) for k in rng.integers(1, 40, size=3))
    draw = normal_draw(d2l, rng, 1.0)
    return draw(n, d), draw(n, h), draw(d, h), draw(h, h)


def _tolerance_reference(d2l, X, H, W_xh, W_hh):
    return concat_check(X, H, W_xh, W_hh).tolerance


QUESTIONS = (
    Question(
        name="q4_swapped_blocks",
        answer="swapped_blocks_mine",
        inputs=_blocks_inputs,
        reference=_blocks_reference,
        refuse=("rnn_guide.concat_check",),
        difficulty="easy",
        minutes=5,
    ),
    Question(
        name="q4_tolerance",
        answer="tolerance_mine",
        inputs=_tolerance_inputs,
        reference=_tolerance_reference,
        refuse=("rnn_guide.concat_check",),
        # the tolerance is a bound, not a measurement: 0.1% relative is far tighter than any mistake
        compare=lambda label, received, expected, d2l: compare_close(
            label, received, expected, d2l, atol=0.0, rtol=1e-3
        ),
        difficulty="medium",
        minutes=10,
    ),
)
