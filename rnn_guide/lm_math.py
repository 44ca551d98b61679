"""The character model's math (Step 5), as plain functions of a backend and its tensors.

    H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)      X_t one-hot, so X_t W_xh is a row of W_xh
    O_t = H_t W_hq + b_q                             scores over the V characters
    L   = -mean_t log softmax(O_t)[Y_t]              cross-entropy
    perplexity = exp(L)

With ``cell='gru'`` or ``'lstm'`` the first line is the gated cell's update
(:func:`~rnn_guide.gru_forward`, :func:`~rnn_guide.lstm_forward` on one-hot ``X_t``; the input
terms are rows of the ``W_x?``, looked up for every step at once) and the
LSTM's state is the pair ``(H, C)``: :func:`zero_state`, :func:`detach_state` and
:func:`state_rows` treat a state that is one tensor or a pair alike.

:class:`~rnn_guide.language_model.RNNLM`, the training loop, BPTT and generation
all use these functions, so the model's math is written once.
"""

import math

import numpy as np

from .backends import get_backend
from .errors import RNNGuideError
from .gated import input_terms, run_gru, run_lstm
from .gated_params import GRUParams, LSTMParams
from .recurrence import RNNParams
from .refusal import refusable

# exp(709) is close to the largest float: a mean cross-entropy above it means training has diverged.
MAX_LOSS = 709.0

# The model's cell: its parameters' named tuple. The LSTM's state is a pair (H, C), the others' one H.
CELLS = {"rnn": RNNParams, "gru": GRUParams, "lstm": LSTMParams}


def check_cell(cell, where):
    """Return ``cell`` if it is one of ``CELLS`` (rnn, gru, lstm), else raise a clear error."""
    if not isinstance(cell, str) or cell not in CELLS:
        raise RNNGuideError(f"{where}: cell must be one of {list(CELLS)}, received {cell!r}")
    return cell


def cell_of(params):
    """``'gru'``, ``'lstm'`` or ``'rnn'``: the cell whose parameters ``params`` are."""
    return "gru" if isinstance(params, GRUParams) else "lstm" if isinstance(params, LSTMParams) else "rnn"


def zero_state(d2l, cell, batch_size, num_hiddens):
    """The zero state: H of shape (batch_size, num_hiddens), for the LSTM the pair (H, C)."""
    H = d2l.zeros((batch_size, num_hiddens))
    return (H, d2l.zeros((batch_size, num_hiddens))) if cell == "lstm" else H


def detach_state(d2l, state):
    """``stop_gradient`` of the state, or of each part of a pair (H, C)."""
    if isinstance(state, (tuple, list)):
        return tuple(d2l.stop_gradient(part) for part in state)
    return d2l.stop_gradient(state)


def state_rows(d2l, state):
    """The batch size of a state (a tensor, or a pair whose parts share it)."""
    return d2l.shape(state[0] if isinstance(state, (tuple, list)) else state)[0]


def lm_forward(d2l, params, X, H):
    """Run the model over a minibatch.

    Args:
        d2l: the backend.
        params: RNNParams(W_xh, W_hh, b_h, W_hq, b_q), or GRUParams / LSTMParams for a gated cell
            (:func:`~rnn_guide.gru_forward` / :func:`~rnn_guide.lstm_forward` on one-hot inputs).
        X: character indices, shape (num_steps, batch_size), time-major.
        H: the state before the first step, shape (batch_size, num_hiddens); the LSTM's is (H, C).

    Returns:
        (O, H): scores of shape (num_steps * batch_size, vocab_size), rows in
        time-major order, and the last state.
    """
    if isinstance(params, (GRUParams, LSTMParams)):
        return _gated_forward(d2l, params, X, H)
    W_xh, W_hh, b_h, W_hq, b_q = params
    states = []
    for t in range(d2l.shape(X)[0]):
        H = d2l.tanh(d2l.take_rows(W_xh, X[t]) + d2l.matmul(H, W_hh) + b_h)  # (batch_size, num_hiddens)
        states.append(H)
    H_all = d2l.concat(states, 0)  # (num_steps * batch_size, num_hiddens)
    return d2l.matmul(H_all, W_hq) + b_q, H


def _gated_forward(d2l, params, X, state):
    T, n = d2l.shape(X)
    h = d2l.shape(params.W_hq)[0]
    # X_t is one-hot, so X_t W_x? is a row of W_x?: the input terms of every step at once
    inputs = input_terms(d2l, d2l.reshape(X, (T * n,)), params, rows_of=True)
    inputs = tuple(d2l.reshape(x, (T, n, d2l.shape(x)[1])) for x in inputs)
    if isinstance(params, GRUParams):
        H_all, state = run_gru(d2l, inputs, state, params)
    else:
        H_all, state = run_lstm(d2l, inputs, tuple(state), params)
    return d2l.matmul(d2l.reshape(H_all, (T * n, h)), params.W_hq) + params.b_q, state


@refusable("rnn_guide.lm_math.cross_entropy")
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


@refusable("rnn_guide.lm_math.perplexity")
def perplexity(mean_loss):
    """``exp(mean_loss)``, or inf where that overflows (instead of raising OverflowError)."""
    return math.exp(mean_loss) if mean_loss < MAX_LOSS else math.inf


def log_softmax(O):
    """``log softmax`` of NumPy scores along the last axis, computed stably, in their dtype.

    The host-side counterpart of ``d2l.log_softmax`` (it is the NumPy backend's, so the formula is
    written once): BPTT by hand, scoring and sampling use it.
    """
    return get_backend("numpy").log_softmax(np.asarray(O))


@refusable("rnn_guide.lm_math.expected_shapes")
def expected_shapes(vocab_size, num_hiddens, cell="rnn"):
    """The shapes of the cell's parameters (e.g. ``W_xh, W_hh, b_h, W_hq, b_q``) for ``V``
    characters and ``h`` hidden units, by name."""
    V, h = vocab_size, num_hiddens
    shapes = {"W_hq": (h, V), "b_q": (V,)}
    for name in CELLS[cell]._fields[:-2]:  # W_x? (V, h), W_h? (h, h), b_? (h,)
        shapes[name] = (h,) if name.startswith("b_") else (V, h) if name.startswith("W_x") else (h, h)
    return {name: shapes[name] for name in CELLS[cell]._fields}


def check_param_shapes(shapes, vocab_size, where="parameters", cell="rnn"):
    """Check a mapping ``name -> shape`` of the cell's parameters against the vocabulary size.

    The number of hidden units is read from the cell's second matrix (``W_hh``, ``W_hz``, ``W_hi``).

    Returns:
        num_hiddens.

    Raises:
        RNNGuideError: a parameter is missing or its shape does not fit.
    """
    names = CELLS[check_cell(cell, where)]._fields
    missing = [name for name in names if name not in shapes]
    if missing:
        raise RNNGuideError(f"{where}: parameters {missing} are missing")
    key = names[1]
    W_hh = tuple(shapes[key])
    if len(W_hh) != 2 or W_hh[0] != W_hh[1] or W_hh[0] < 1:
        raise RNNGuideError(f"{where}: {key} has shape {W_hh}, expected (num_hiddens, num_hiddens)")
    want = expected_shapes(vocab_size, W_hh[0], cell)
    wrong = {name: tuple(shapes[name]) for name in want if tuple(shapes[name]) != want[name]}
    if wrong:
        raise RNNGuideError(
            f"{where}: parameter shapes {wrong} do not fit a vocabulary of {vocab_size} and "
            f"{W_hh[0]} hidden units (expected {want})"
        )
    return W_hh[0]
