"""The character model's math (Step 5), as plain functions of a backend and its tensors.

    H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)      X_t one-hot, so X_t W_xh is a row of W_xh
    O_t = H_t W_hq + b_q                             scores over the V characters
    L   = -mean_t log softmax(O_t)[Y_t]              cross-entropy
    perplexity = exp(L)

:class:`~rnn_guide.language_model.RNNLM`, the training loop, BPTT and generation
all use these functions, so the model's math is written once.
"""

import math

import numpy as np

from .backends import get_backend
from .errors import RNNGuideError

# exp(709) is close to the largest float: a mean cross-entropy above it means training has diverged.
MAX_LOSS = 709.0


def lm_forward(d2l, params, X, H):
    """Run the model over a minibatch.

    Args:
        d2l: the backend.
        params: RNNParams(W_xh, W_hh, b_h, W_hq, b_q).
        X: character indices, shape (num_steps, batch_size), time-major.
        H: the state before the first step, shape (batch_size, num_hiddens).

    Returns:
        (O, H): scores of shape (num_steps * batch_size, vocab_size), rows in
        time-major order, and the last state.
    """
    W_xh, W_hh, b_h, W_hq, b_q = params
    states = []
    for t in range(d2l.shape(X)[0]):
        H = d2l.tanh(d2l.take_rows(W_xh, X[t]) + d2l.matmul(H, W_hh) + b_h)  # (batch_size, num_hiddens)
        states.append(H)
    H_all = d2l.concat(states, 0)  # (num_steps * batch_size, num_hiddens)
    return d2l.matmul(H_all, W_hq) + b_q, H


def cross_entropy(d2l, O, Y, weights=None):
    """Mean softmax cross-entropy of scores O (n, V) for targets Y (num_steps, batch_size).

    ``weights`` (n,), 1 for a real prediction and 0 for padding, makes it the mean over the
    real ones: training pads a smaller last batch so that a compiled step sees one shape.
    """
    n, V = d2l.shape(O)
    log_p = d2l.reshape(d2l.log_softmax(O), (n * V,))
    # log-probability of each target: entry (i, Y_i) of the (n, V) matrix, at flat index i * V + Y_i
    picked = d2l.take_rows(log_p, d2l.tensor(np.arange(n) * V) + d2l.reshape(Y, (n,)))
    if weights is None:
        return -d2l.reduce_sum(picked) / n
    return -d2l.reduce_sum(picked * weights) / d2l.reduce_sum(weights)


def loss_and_state(d2l, params, X, Y, H, weights=None):
    """The training objective: ``(mean cross-entropy, last state)``."""
    O, H = lm_forward(d2l, params, X, H)
    return cross_entropy(d2l, O, Y, weights), H


def perplexity(mean_loss):
    """``exp(mean_loss)``, or inf where that overflows (instead of raising OverflowError)."""
    return math.exp(mean_loss) if mean_loss < MAX_LOSS else math.inf


def log_softmax(O):
    """``log softmax`` of NumPy scores along the last axis, computed stably, in their dtype.

    The host-side counterpart of ``d2l.log_softmax`` (it is the NumPy backend's, so the formula is
    written once): BPTT by hand, scoring and sampling use it.
    """
    return get_backend("numpy").log_softmax(np.asarray(O))


def expected_shapes(vocab_size, num_hiddens):
    """The shapes of ``(W_xh, W_hh, b_h, W_hq, b_q)`` for ``V`` characters and ``h`` hidden units."""
    V, h = vocab_size, num_hiddens
    return {"W_xh": (V, h), "W_hh": (h, h), "b_h": (h,), "W_hq": (h, V), "b_q": (V,)}


def check_param_shapes(shapes, vocab_size, where="parameters"):
    """Check a mapping ``name -> shape`` of the five parameters against the vocabulary size.

    The number of hidden units is read from ``W_hh``.

    Returns:
        num_hiddens.

    Raises:
        RNNGuideError: a parameter is missing or its shape does not fit.
    """
    missing = [name for name in ("W_xh", "W_hh", "b_h", "W_hq", "b_q") if name not in shapes]
    if missing:
        raise RNNGuideError(f"{where}: parameters {missing} are missing")
    W_hh = tuple(shapes["W_hh"])
    if len(W_hh) != 2 or W_hh[0] != W_hh[1] or W_hh[0] < 1:
        raise RNNGuideError(f"{where}: W_hh has shape {W_hh}, expected (num_hiddens, num_hiddens)")
    want = expected_shapes(vocab_size, W_hh[0])
    wrong = {name: tuple(shapes[name]) for name in want if tuple(shapes[name]) != want[name]}
    if wrong:
        raise RNNGuideError(
            f"{where}: parameter shapes {wrong} do not fit a vocabulary of {vocab_size} and "
            f"{W_hh[0]} hidden units (expected {want})"
        )
    return W_hh[0]
