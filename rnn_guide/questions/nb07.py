"""Notebook 7's coded questions: the output layer's shapes for any vocabulary, and how strongly the
last state reacts to each earlier input, measured by finite differences."""

import string

import numpy as np

from .. import checks
from ..backends import backend_of
from ..backends.tensors import tensor_framework
from ..data import Vocab
from .core import Question
from .nb01 import compare_shapes

_CHARACTERS = string.ascii_letters + string.digits + string.punctuation + " "


def _shapes_inputs(d2l, rng):
    alphabet = rng.choice(list(_CHARACTERS), size=int(rng.integers(3, 60)), replace=False)
    text = "".join(rng.choice(alphabet, size=400))
    num_hiddens, batch_size = (int(k) for k in rng.integers(2, 200, size=2))
    return Vocab(text), num_hiddens, batch_size


def _shapes_reference(d2l, vocab, num_hiddens, batch_size):
    V = len(vocab)
    return (num_hiddens, V), (V,), (batch_size, V)


def _sensitivity_inputs(d2l, rng):
    num_steps, d, h = int(rng.integers(4, 13)), int(rng.integers(2, 6)), int(rng.integers(2, 9))
    X = rng.normal(0.0, 1.0, size=(num_steps, 1, d))
    W_xh = rng.normal(0.0, 0.5, size=(d, h))
    W_hh = rng.normal(0.0, 0.9 / np.sqrt(h), size=(h, h))
    b_h = rng.normal(0.0, 0.1, size=h)
    return tuple(d2l.tensor(a.astype(np.float32)) for a in (X, W_xh, W_hh, b_h))


def _compare_numbers(label, received, expected, d2l, atol, rtol):
    """``received``, a list, tuple, NumPy array or tensor of numbers, equals ``expected`` entry by
    entry within ``atol + rtol * |expected|``."""
    if isinstance(received, (tuple, list)):
        values = []
        for i, item in enumerate(received):
            if tensor_framework(item) is not None and hasattr(item, "dtype"):
                item = backend_of(item).numpy(item)
            try:
                values.append(float(np.asarray(item, dtype=np.float64).reshape(())))
            except (TypeError, ValueError):
                raise checks.CheckFailed(
                    f"{label} should return numbers; its item {i} is {checks.describe(item)}"
                ) from None
        received = np.array(values)
    checks.close(label, received, expected, atol=atol, rtol=rtol)


def _sensitivity_reference(d2l, X, W_xh, W_hh, b_h):
    """|dH_T / dX[s, 0, 0]| for every s, exactly, in float64 (the chain rule, forward mode)."""
    x, wx, wh, b = (d2l.numpy(t).astype(np.float64) for t in (X, W_xh, W_hh, b_h))
    states, H = [], np.zeros((1, wh.shape[0]))
    for t in range(x.shape[0]):
        H = np.tanh(x[t] @ wx + H @ wh + b)
        states.append(H)
    norms = []
    for s in range(x.shape[0]):
        dH = (1.0 - states[s] ** 2) * wx[0]  # dH_s / dx: x enters step s through W_xh's first row
        for t in range(s + 1, x.shape[0]):
            dH = (1.0 - states[t] ** 2) * (dH @ wh)
        norms.append(np.linalg.norm(dH))
    return np.array(norms)


QUESTIONS = (
    Question(
        name="q7_output_shapes",
        answer="output_shapes_mine",
        inputs=_shapes_inputs,
        reference=_shapes_reference,
        compare=lambda label, received, expected, d2l: compare_shapes(
            label, received, expected, d2l, names=("W_hq", "b_q", "O_t")
        ),
        difficulty="easy",
        minutes=5,
    ),
    Question(
        name="q7_sensitivity",
        answer="sensitivity_mine",
        inputs=_sensitivity_inputs,
        reference=_sensitivity_reference,
        # central differences with eps = 0.01 in float32 are off by about 1e-5 (a one-sided
        # difference by about 1e-3); a missing division by 2 eps or the wrong entry nudged is off
        # by far more
        compare=lambda label, received, expected, d2l: _compare_numbers(
            label, received, expected, d2l, atol=2e-4, rtol=1e-2
        ),
        difficulty="medium",
        minutes=15,
    ),
)
