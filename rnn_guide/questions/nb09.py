"""Notebook 9's coded questions: a bidirectional GRU layer, and the size of a deep, bidirectional stack."""

import functools

import numpy as np

from .. import checks
from .._cells import get_cell
from .._gated_params import GRUParams
from ..backends import get_backend
from ..stacked import StackParams, init_stacked_params, stacked_forward, used_names
from .core import Question, compare_close, normal_draw

# Two GRUs over at most 6 steps: float32 matmuls, sigmoids and tanhs of numbers of order 1, whose
# rounding differs between frameworks by about 1e-6. The usual mistakes (the backward states left
# in reversed order, the backward direction reading X forward, the halves swapped) change
# entries by 0.05 or more.
_same_states = functools.partial(compare_close, atol=1e-4, rtol=1e-4)


# ---------------------------------------------------------- q9_bidirectional
def _bidirectional_inputs(d2l, rng):
    T = int(rng.integers(3, 7))  # at least 3 steps, so that a sequence reversed is not its mirror image
    n, d, h = (int(k) for k in rng.integers(2, 7, size=3))
    draw = normal_draw(d2l, rng, 0.5)

    def gru():  # biases are not zero here, so one left out shows
        fields = []
        for name in GRUParams._fields:
            rows = d if name.startswith("W_x") else h
            if name == "W_hq":
                fields.append(draw(h, 1))
            elif name.startswith("b_"):
                fields.append(draw(1 if name == "b_q" else h))
            else:
                fields.append(draw(rows, h))
        return GRUParams(*fields)

    return d2l.tensor(rng.normal(0.0, 1.0, (T, n, d)).astype(np.float32)), gru(), gru()


def _bidirectional_reference(d2l, X, forward, backward):
    H_all, _ = stacked_forward(X, None, StackParams(((forward, backward),)))
    return H_all


# ------------------------------------------------------------- q9_stack_size
def _size_inputs(d2l, rng):
    cell = ("rnn", "gru", "lstm")[int(rng.integers(0, 3))]
    num_inputs, num_hiddens = (int(k) for k in rng.integers(1, 120, size=2))
    num_layers = int(rng.integers(1, 5))
    return cell, num_inputs, num_hiddens, num_layers, bool(rng.integers(0, 2))


def _size_reference(d2l, cell, num_inputs, num_hiddens, num_layers, bidirectional):
    numpy = get_backend("numpy")
    stack = init_stacked_params(cell, num_inputs, num_hiddens, num_layers, numpy, bidirectional)
    names = used_names(get_cell(cell, "q9_stack_size"))
    return sum(int(np.size(getattr(p, name))) for layer in stack.layers for p in layer for name in names)


def _same_count(label, received, expected, d2l):
    """A count is a whole number: ``1234`` or ``1234.0`` pass, ``1233`` and ``True`` fail."""
    checks.equal(label, received, expected)


QUESTIONS = (
    Question(
        name="q9_bidirectional",
        answer="bidirectional_gru_mine",
        inputs=_bidirectional_inputs,
        reference=_bidirectional_reference,
        refuse=("rnn_guide.stacked_forward",),
        compare=_same_states,
        difficulty="medium",
        minutes=15,
    ),
    Question(
        name="q9_stack_size",
        answer="stack_size_mine",
        inputs=_size_inputs,
        reference=_size_reference,
        refuse=(
            "rnn_guide.init_stacked_params",
            "rnn_guide.init_params",
            "rnn_guide.init_gru_params",
            "rnn_guide.init_lstm_params",
        ),
        compare=_same_count,
        difficulty="easy",
        minutes=10,
    ),
)
