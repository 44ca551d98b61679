"""Gated cells, GRU and LSTM, written once for every backend (d2l sections 10.1 and 10.2).

Like ``rnn_step`` and ``rnn_forward``: the body of each step reads like its equations, the
backend is inferred from the tensors, and types, dtypes and shapes are checked in the guide's
names before any framework op runs. ``sigma`` below is the logistic
function, ``*`` the elementwise product.
"""

from . import _validation as check
from ._gated_params import (
    GRUParams,
    LSTMParams,
    check_gru,
    check_lstm,
    init_gru_params,
    init_lstm_params,
    state_pair,
)
from .cell import Cell, hidden_weights, input_terms, run_cell, sequence_terms
from .refusal import refusable


# ------------------------------------------------------------------------ GRU
@refusable("rnn_guide.gru_step")
def gru_step(X_t, H_prev, params, reset_after=False, b_hn=None, backend=None):
    """One GRU step (d2l 10.2)::

        Z_t  = sigma(X_t W_xz + H_{t-1} W_hz + b_z)            update gate
        R_t  = sigma(X_t W_xr + H_{t-1} W_hr + b_r)            reset gate
        H~_t = tanh(X_t W_xh + (R_t * H_{t-1}) W_hh + b_h)     candidate state
        H_t  = Z_t * H_{t-1} + (1 - Z_t) * H~_t

    With ``reset_after=True`` the candidate is PyTorch's, gluon's and Keras'
    ``reset_after=True`` form, ``H~_t = tanh(X_t W_xh + b_h + R_t * (H_{t-1} W_hh + b_hn))``:
    the reset gate scales the hidden matmul's result instead of the state that enters it,
    which lets one matmul serve all three gates, but is a different function of the weights.
    Those frameworks keep two biases per gate; the sums serve as ``b_z`` and ``b_r``, the
    input bias of the candidate is ``b_h`` and its hidden bias ``b_hn`` (None: zero; the
    default form has no place for it).

    Args:
        X_t: input at step t, shape (batch_size, num_inputs).
        H_prev: hidden state from step t-1, shape (batch_size, num_hiddens).
        params: GRUParams (from :func:`init_gru_params`); the output layer is not used here.
        reset_after: False for d2l's form, True for the frameworks' form above; a bool (a
            string such as ``'no'`` is refused, as it would otherwise count as True).
        b_hn: the candidate's hidden bias, shape (num_hiddens,), with ``reset_after=True`` only.
        backend: as in :func:`rnn_guide.rnn_step`.

    Returns:
        H_t, shape (batch_size, num_hiddens).
    """
    reset_after = check.boolean(reset_after, "reset_after", "gru_step")
    d2l = check_gru("gru_step", X_t, "X_t", H_prev, "H_prev", params, reset_after, b_hn, backend)
    W_h = hidden_weights(d2l, GRU, params)
    return gru_cell(d2l, input_terms(d2l, GRU, params, X_t), H_prev, W_h, reset_after, b_hn)


@refusable("rnn_guide.gru_forward")
def gru_forward(X, H0, params, reset_after=False, b_hn=None, backend=None):
    """Run :func:`gru_step` over every time step with the same parameters.

    The input terms ``X_t W_x? + b_?`` do not depend on the state, so they are computed for all
    steps at once, before the loop; the loop is ``d2l.scan`` (a plain loop, ``lax.scan`` in JAX).

    Args:
        X: inputs, shape (num_steps, batch_size, num_inputs).
        H0: initial state, shape (batch_size, num_hiddens); None means zeros.
        params: GRUParams (from :func:`init_gru_params`).
        reset_after: False for d2l's candidate, True for the frameworks' (see :func:`gru_step`).
        b_hn: the candidate's hidden bias with ``reset_after=True``, shape (num_hiddens,).
        backend: as in :func:`rnn_guide.rnn_step`.

    Returns:
        (H_all, H_T): all states, shape (num_steps, batch_size, num_hiddens),
        and the last one, shape (batch_size, num_hiddens).
    """
    reset_after = check.boolean(reset_after, "reset_after", "gru_forward")
    d2l = check_gru("gru_forward", X, "X", H0, "H0", params, reset_after, b_hn, backend)
    H = d2l.zeros((d2l.shape(X)[1], d2l.shape(params.W_hh)[0])) if H0 is None else H0
    inputs = sequence_terms(d2l, GRU, params, X)
    return run_cell(d2l, GRU, params, inputs, H, reset_after=reset_after, b_hn=b_hn)


# ----------------------------------------------------------------------- LSTM
@refusable("rnn_guide.lstm_step")
def lstm_step(X_t, state, params, backend=None):
    """One LSTM step (d2l 10.1)::

        I_t  = sigma(X_t W_xi + H_{t-1} W_hi + b_i)     input gate
        F_t  = sigma(X_t W_xf + H_{t-1} W_hf + b_f)     forget gate
        O_t  = sigma(X_t W_xo + H_{t-1} W_ho + b_o)     output gate
        C~_t = tanh(X_t W_xc + H_{t-1} W_hc + b_c)      candidate memory cell
        C_t  = F_t * C_{t-1} + I_t * C~_t               memory cell
        H_t  = O_t * tanh(C_t)                          hidden state

    Args:
        X_t: input at step t, shape (batch_size, num_inputs).
        state: (H_prev, C_prev), each of shape (batch_size, num_hiddens).
        params: LSTMParams (from :func:`init_lstm_params`); the output layer is not used here.
        backend: as in :func:`rnn_guide.rnn_step`.

    Returns:
        (H_t, C_t), each of shape (batch_size, num_hiddens).
    """
    H_prev, C_prev = state_pair(state, "state", "lstm_step", allow_none=False)
    d2l = check_lstm("lstm_step", X_t, "X_t", H_prev, C_prev, "_prev", params, backend)
    W_h = hidden_weights(d2l, LSTM, params)
    return lstm_cell(d2l, input_terms(d2l, LSTM, params, X_t), (H_prev, C_prev), W_h)


@refusable("rnn_guide.lstm_forward")
def lstm_forward(X, state0, params, backend=None):
    """Run :func:`lstm_step` over every time step with the same parameters.

    As in :func:`gru_forward`, the input terms are computed for all steps before the loop.

    Args:
        X: inputs, shape (num_steps, batch_size, num_inputs).
        state0: (H0, C0), each of shape (batch_size, num_hiddens); None means zeros.
        params: LSTMParams (from :func:`init_lstm_params`).
        backend: as in :func:`rnn_guide.rnn_step`.

    Returns:
        (H_all, (H_T, C_T)): all hidden states, shape (num_steps, batch_size, num_hiddens),
        and the last state, each of shape (batch_size, num_hiddens).
    """
    H, C = state_pair(state0, "state0", "lstm_forward", allow_none=True)
    d2l = check_lstm("lstm_forward", X, "X", H, C, "0", params, backend)
    if H is None:
        H = C = d2l.zeros((d2l.shape(X)[1], d2l.shape(params.W_hc)[0]))
    return run_cell(d2l, LSTM, params, sequence_terms(d2l, LSTM, params, X), (H, C))


# ------------------------------------------------ the GRU and the LSTM as Cells
def gru_cell(d2l, inputs_t, H, W_h, reset_after=False, b_hn=None):
    """The GRU's step as :func:`~rnn_guide.cell.run_cell` calls it (equations in :func:`gru_step`)."""
    (X_zr, X_h), (W_zr, W_hh) = inputs_t, W_h  # X_t [W_xz | W_xr] + [b_z | b_r], X_t W_xh + b_h
    Z, R = d2l.split(d2l.sigmoid(X_zr + d2l.matmul(H, W_zr)), 2)  # update and reset gates
    if not reset_after:
        H_tilde = d2l.tanh(X_h + d2l.matmul(R * H, W_hh))  # candidate state, d2l's form
    elif b_hn is None:
        H_tilde = d2l.tanh(X_h + R * d2l.matmul(H, W_hh))  # the frameworks' form
    else:
        H_tilde = d2l.tanh(X_h + R * (d2l.matmul(H, W_hh) + b_hn))
    return Z * H + (1.0 - Z) * H_tilde


def lstm_cell(d2l, inputs_t, state, W_h):
    """The LSTM's step as :func:`~rnn_guide.cell.run_cell` calls it (equations in :func:`lstm_step`)."""
    # X_t [W_xi | W_xf | W_xo] + [b_i | b_f | b_o] and X_t W_xc + b_c; [W_hi | W_hf | W_ho] and W_hc
    (X_ifo, X_c), (W_ifo, W_hc) = inputs_t, W_h
    H, C = state
    I, F, O = d2l.split(d2l.sigmoid(X_ifo + d2l.matmul(H, W_ifo)), 3)  # noqa: E741 (the book's names)
    C_tilde = d2l.tanh(X_c + d2l.matmul(H, W_hc))  # candidate memory cell
    C = F * C + I * C_tilde
    return O * d2l.tanh(C), C


GRU = Cell(
    name="gru", params=GRUParams, init=init_gru_params, groups=("zr", "h"), step=gru_cell, has_memory=False
)
LSTM = Cell(
    name="lstm",
    params=LSTMParams,
    init=init_lstm_params,
    groups=("ifo", "c"),
    step=lstm_cell,
    has_memory=True,
)
