"""The character model's math (Step 5), as plain functions of a backend and its tensors.

    H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)      X_t one-hot, so X_t W_xh is a row of W_xh
    O_t = H_t W_hq + b_q                             scores over the V characters
    L   = -mean_t log softmax(O_t)[Y_t]              cross-entropy
    perplexity = exp(L)

With ``cell='gru'`` or ``'lstm'`` the first line is the gated cell's update. Every cell runs
through the one loop over time, :func:`~rnn_guide.cell.run_cell`, on one-hot ``X_t`` (the input
terms are rows of the ``W_x?``, looked up for every step at once); the LSTM's state is the pair
``(H, C)`` (``rnn_guide._cells`` has the helpers that treat a state of either kind alike).

A deep and/or bidirectional model (d2l 10.3, 10.4) has :class:`StackedLMParams`: the layers of
:mod:`rnn_guide.stacked` under one output layer, which reads the top layer's states (both
directions, forward first). :func:`lm_forward` tells the two kinds apart by the parameters' type.

:class:`~rnn_guide.language_model.RNNLM`, the training loop, BPTT and generation
all use these functions, so the model's math is written once.
"""

import math
from typing import NamedTuple

import numpy as np

from ._cells import cell_of, get_cell
from .backends import get_backend
from .cell import row_tables, run_cell
from .errors import RNNGuideError
from .refusal import refusable
from .stacked import StackParams, run_stack

# exp(709) is close to the largest float: a mean cross-entropy above it means training has diverged.
MAX_LOSS = 709.0


class StackedLMParams(NamedTuple):
    """The parameters of a deep and/or bidirectional language model.

    ``stack`` holds ``stack.layers[l][k]``, the cell's own named tuple for layer l and direction k
    (:class:`~rnn_guide.stacked.StackParams`; their ``W_hq`` and ``b_q`` are unused, kept at zero).
    The output layer reads the top layer's states, both directions joined, forward first.
    """

    stack: StackParams  #: the layers' cell parameters, per layer and direction (their output layers unused)
    W_hq: object  #: output weights, shape (num_directions * num_hiddens, vocab_size)
    b_q: object  #: output bias, shape (vocab_size,)


def lm_cell(params):
    """The :class:`~rnn_guide.cell.Cell` that the model's parameters run, for either kind."""
    return cell_of(params.stack.layers[0][0] if isinstance(params, StackedLMParams) else params)


def lm_forward(d2l, params, X, state):
    """Run the model over a minibatch: the cell's recurrence (:func:`~rnn_guide.cell.run_cell`,
    the loop notebook 2 writes out), then the output layer on every step's state.

    Args:
        d2l: the backend.
        params: the cell's parameters: RNNParams(W_xh, W_hh, b_h, W_hq, b_q), GRUParams or
            LSTMParams (the cell is read from the named tuple); or :class:`StackedLMParams`, whose
            layers run :func:`~rnn_guide.stacked.run_stack` (the same loop, layer by layer).
        X: character indices, shape (num_steps, batch_size), time-major. ``X_t`` is one-hot, so
            ``X_t W_x + b`` is a row of ``W_x + b``: each step looks its input terms up.
        state: the state before the first step, shape (batch_size, num_hiddens); the LSTM's is (H, C);
            a stacked model's is ``state[l][k]``, one of those per layer and direction.

    Returns:
        (O, state): scores of shape (num_steps * batch_size, vocab_size), rows in
        time-major order, and the last state (nested like ``state``).
    """
    cell = lm_cell(params)
    T, n = d2l.shape(X)
    if isinstance(params, StackedLMParams):  # H_all: (num_steps, batch_size, K * num_hiddens)
        H_all, state = run_stack(d2l, cell, params.stack, X, state, rows_of=True)
    else:  # H_all: (num_steps, batch_size, num_hiddens)
        H_all, state = run_cell(d2l, cell, params, X, state, tables=row_tables(d2l, cell, params))
    H_all = d2l.reshape(H_all, (T * n, d2l.shape(params.W_hq)[0]))
    return d2l.matmul(H_all, params.W_hq) + params.b_q, state


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
    fields = get_cell(cell, "expected_shapes").params._fields
    for name in fields[:-2]:  # W_x? (V, h), W_h? (h, h), b_? (h,)
        shapes[name] = (h,) if name.startswith("b_") else (V, h) if name.startswith("W_x") else (h, h)
    return {name: shapes[name] for name in fields}


def check_param_shapes(shapes, vocab_size, where="parameters", cell="rnn"):
    """Check a mapping ``name -> shape`` of the cell's parameters against the vocabulary size.

    The number of hidden units is read from the cell's second matrix (``W_hh``, ``W_hz``, ``W_hi``).

    Returns:
        num_hiddens.

    Raises:
        RNNGuideError: a parameter is missing or its shape does not fit.
    """
    names = get_cell(cell, where).params._fields
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
