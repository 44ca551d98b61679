"""Notebook 6's coded questions: backpropagation through time by hand, truncated, and clipping.

The recurrence of the two BPTT questions is the guide's, on real-valued inputs:
``H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)`` for t = 1..T. ``dH[t - 1]`` is the gradient that
``H_t`` receives directly from the loss (through its own output), so the loss is, as far as the
recurrence can tell, ``L = sum_t sum(H_t * dH[t - 1])``. The reference differentiates that ``L``
with this framework's autograd (with the state detached at the cuts for truncated BPTT); NumPy has
no autograd, and there the reference is the same loop as :mod:`rnn_guide.bptt`, in float64.
"""

import functools

import numpy as np

from ..backends import backend_of
from .core import Question, compare_close

# The student's answer and the reference are float32 computations (of the same sums in another
# order): they differ by about 1e-6 here, while a missing term (tanh', the gradient carried from
# step t + 1, a bias summed over the wrong axis) changes the gradients by 0.01 or more.
_same_gradients = functools.partial(compare_close, atol=1e-4, rtol=1e-4)


def _rnn_inputs(d2l, rng, num_steps):
    n, d, h = (int(k) for k in rng.integers(2, 6, size=3))

    def draw(sigma, *shape):
        return rng.normal(0.0, sigma, size=shape).astype(np.float32)

    X, H0 = draw(1.0, num_steps, n, d), draw(0.5, n, h)
    W_xh, W_hh, b_h, dH = draw(0.5, d, h), draw(0.6, h, h), draw(0.3, h), draw(1.0, num_steps, n, h)
    return X, H0, W_xh, W_hh, b_h, dH


def _by_hand(X, H0, W_xh, W_hh, b_h, dH, cut=None):
    """``(dW_xh, dW_hh, db_h, dH0)`` in float64; ``cut``: the gradient stops every ``cut`` steps."""
    X, H0, W_xh, W_hh, b_h, dH = (np.asarray(a, np.float64) for a in (X, H0, W_xh, W_hh, b_h, dH))
    H = [H0]
    for t in range(len(X)):
        H.append(np.tanh(X[t] @ W_xh + H[t] @ W_hh + b_h))
    dW_xh, dW_hh, db_h, dH_next = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b_h), 0.0
    for t in reversed(range(len(X))):
        dZ = (dH[t] + dH_next) * (1.0 - H[t + 1] ** 2)
        dW_xh += X[t].T @ dZ
        dW_hh += H[t].T @ dZ
        db_h += dZ.sum(axis=0)
        dH_next = dZ @ W_hh.T
        if cut and t and t % cut == 0:  # H_t entered a new chunk as a constant: nothing goes on
            dH_next = np.zeros_like(dH_next)
    return dW_xh, dW_hh, db_h, dH_next


def _by_autograd(d2l, X, H0, W_xh, W_hh, b_h, dH, cut=None):
    """The same gradients from ``d2l.value_and_grad`` of ``L = sum_t sum(H_t * dH[t - 1])``."""

    def loss(leaves, X, dH):
        W_xh, W_hh, b_h, H = leaves
        L = 0.0
        for t in range(d2l.shape(X)[0]):
            if cut and t and t % cut == 0:
                H = d2l.stop_gradient(H)  # truncated BPTT: the carried state is a constant
            H = d2l.tanh(d2l.matmul(X[t], W_xh) + d2l.matmul(H, W_hh) + b_h)
            L = L + d2l.reduce_sum(H * dH[t])
        return L, H

    leaves = tuple(d2l.tensor(a) for a in (W_xh, W_hh, b_h, H0))
    _, _, grads = d2l.value_and_grad(loss)(leaves, d2l.tensor(X), d2l.tensor(dH))
    return tuple(d2l.numpy(g) for g in grads)  # NumPy: the answer may be NumPy arrays or tensors


def _reference(d2l, *args, cut=None):
    if d2l.name == "numpy":  # no autograd: the hand-written loop, in float64
        return _by_hand(*args, cut=cut)
    return _by_autograd(d2l, *args, cut=cut)


# -------------------------------------------------------------------- q6_bptt
def _bptt_inputs(d2l, rng):
    args = _rnn_inputs(d2l, rng, int(rng.integers(2, 6)))
    return tuple(d2l.tensor(a) for a in args)


def _bptt_reference(d2l, X, H0, W_xh, W_hh, b_h, dH):
    return _reference(d2l, *(d2l.numpy(a) for a in (X, H0, W_xh, W_hh, b_h, dH)))


# --------------------------------------------------------------- q6_truncated
def bptt_by_hand(X, H0, W_xh, W_hh, b_h, dH):
    """A right answer to q6_bptt, ``(dW_xh, dW_hh, db_h, dH0)`` as NumPy arrays (float64).

    q6_truncated hands it to the student's function, so that the question is graded on its own,
    whatever the answer to q6_bptt.
    """
    arrays = (
        a if isinstance(a, np.ndarray) else backend_of(a).numpy(a) for a in (X, H0, W_xh, W_hh, b_h, dH)
    )
    return _by_hand(*arrays)


def _truncated_inputs(d2l, rng):
    while True:  # until truncation changes the gradient, so that the full gradient does not pass
        num_steps = int(rng.integers(2, 5))
        args = _rnn_inputs(d2l, rng, int(rng.integers(num_steps + 2, 11)))
        full, cut = _by_hand(*args), _by_hand(*args, cut=num_steps)
        if max(np.abs(f - c).max() for f, c in zip(full[:3], cut[:3])) > 0.05:
            return (*(d2l.tensor(a) for a in args), num_steps, bptt_by_hand)


def _truncated_reference(d2l, X, H0, W_xh, W_hh, b_h, dH, num_steps, bptt):
    arrays = (d2l.numpy(a) for a in (X, H0, W_xh, W_hh, b_h, dH))
    return _reference(d2l, *arrays, cut=num_steps)[:3]


# -------------------------------------------------------------------- q6_clip
def _clip_inputs(d2l, rng):
    shapes = [tuple(int(k) for k in rng.integers(1, 6, size=int(rng.integers(1, 3)))) for _ in range(3)]
    shapes = shapes[: int(rng.integers(2, 4))]
    grads = [rng.normal(0.0, 1.0, size=shape).astype(np.float32) for shape in shapes]
    norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))
    # a threshold below the norm (clipped) or above it (left as is), never close to it
    factor = rng.uniform(0.2, 0.8) if rng.random() < 0.6 else rng.uniform(1.25, 3.0)
    return [d2l.tensor(g) for g in grads], float(norm * factor)


def _clip_reference(d2l, grads, theta):
    grads = [d2l.numpy(g).astype(np.float64) for g in grads]
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    return [g * min(1.0, theta / norm) for g in grads], norm


# float32 sums of squares of a few dozen entries: about 1e-7 relative
_same_clipped = functools.partial(compare_close, atol=1e-5, rtol=1e-5)

QUESTIONS = (
    Question(
        name="q6_clip",
        answer="clip_mine",
        inputs=_clip_inputs,
        reference=_clip_reference,
        refuse=("d2l.clip_by_global_norm",),
        compare=_same_clipped,
        difficulty="easy",
        minutes=10,
    ),
    Question(
        name="q6_bptt",
        answer="bptt_mine",
        inputs=_bptt_inputs,
        reference=_bptt_reference,
        refuse=("d2l.value_and_grad",),
        compare=_same_gradients,
        difficulty="hard",
        minutes=25,
    ),
    Question(
        name="q6_truncated",
        answer="truncated_bptt_mine",
        inputs=_truncated_inputs,
        reference=_truncated_reference,
        refuse=("d2l.value_and_grad",),
        compare=_same_gradients,
        difficulty="medium",
        minutes=15,
    ),
)
