"""Gated cells, GRU and LSTM, written once for every backend (d2l sections 10.1 and 10.2).

Like ``rnn_step`` and ``rnn_forward``: the body of each step reads like its equations, the
backend is inferred from the tensors, and types, dtypes and shapes are checked in the guide's
names before any framework op runs. ``sigma`` below is the logistic
function, ``*`` the elementwise product.
"""

from .gated_params import GRUParams, LSTMParams, check_gru, check_lstm, state_pair
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
        reset_after: False for d2l's form, True for the frameworks' form above.
        b_hn: the candidate's hidden bias, shape (num_hiddens,), with ``reset_after=True`` only.
        backend: as in :func:`rnn_guide.rnn_step`.

    Returns:
        H_t, shape (batch_size, num_hiddens).
    """
    d2l = check_gru("gru_step", X_t, "X_t", H_prev, "H_prev", params, reset_after, b_hn, backend)
    inputs = input_terms(d2l, X_t, params)
    return _gru_cell(d2l, inputs, H_prev, params, side_by_side(d2l, params, "W_h", "zr"), reset_after, b_hn)


@refusable("rnn_guide.gru_forward")
def gru_forward(X, H0, params, reset_after=False, b_hn=None, backend=None):
    """Run :func:`gru_step` over every time step with the same parameters.

    The input terms ``X_t W_x? + b_?`` do not depend on the state, so they are computed for all
    steps at once, before the loop; the loop is ``d2l.scan`` (a plain loop, ``lax.scan`` in JAX).

    Args:
        X: inputs, shape (num_steps, batch_size, num_inputs).
        H0: initial state, shape (batch_size, num_hiddens); None means zeros.
        params, reset_after, b_hn, backend: as in :func:`gru_step`.

    Returns:
        (H_all, H_T): all states, shape (num_steps, batch_size, num_hiddens),
        and the last one, shape (batch_size, num_hiddens).
    """
    d2l = check_gru("gru_forward", X, "X", H0, "H0", params, reset_after, b_hn, backend)
    H = d2l.zeros((d2l.shape(X)[1], d2l.shape(params.W_hh)[0])) if H0 is None else H0
    return run_gru(d2l, _all_steps(d2l, X, params), H, params, reset_after, b_hn)


def run_gru(d2l, inputs, H, params, reset_after=False, b_hn=None):
    """The GRU's loop over time, given the input terms of every step; no argument checks.

    Args:
        inputs: ``(X [W_xz | W_xr] + [b_z | b_r], X W_xh + b_h)`` of every step (see
            :func:`input_terms`), shapes (num_steps, batch_size, 2 * num_hiddens) and
            (num_steps, batch_size, num_hiddens).
        H: the state before the first step, (batch_size, num_hiddens).

    Returns:
        (H_all, H_T), as :func:`gru_forward`.
    """
    W_h = side_by_side(d2l, params, "W_h", "zr")

    def step(H, inputs_t):
        H = _gru_cell(d2l, inputs_t, H, params, W_h, reset_after, b_hn)
        return H, H

    H, H_all = d2l.scan(step, H, inputs)
    return H_all, H


def _gru_cell(d2l, inputs_t, H, p, W_h, reset_after, b_hn):
    X_zr, X_h = inputs_t  # X_t [W_xz | W_xr] + [b_z | b_r] and X_t W_xh + b_h
    # both gates from one matmul, H [W_hz | W_hr], and one sigmoid, then cut apart
    Z, R = d2l.split(d2l.sigmoid(X_zr + d2l.matmul(H, W_h)), 2)
    if not reset_after:
        H_tilde = d2l.tanh(X_h + d2l.matmul(R * H, p.W_hh))
    elif b_hn is None:
        H_tilde = d2l.tanh(X_h + R * d2l.matmul(H, p.W_hh))
    else:
        H_tilde = d2l.tanh(X_h + R * (d2l.matmul(H, p.W_hh) + b_hn))
    return Z * H + (1.0 - Z) * H_tilde


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
    W_h = side_by_side(d2l, params, "W_h", "ifo")
    return _lstm_cell(d2l, input_terms(d2l, X_t, params), (H_prev, C_prev), params, W_h)


@refusable("rnn_guide.lstm_forward")
def lstm_forward(X, state0, params, backend=None):
    """Run :func:`lstm_step` over every time step with the same parameters.

    As in :func:`gru_forward`, the input terms are computed for all steps before the loop.

    Args:
        X: inputs, shape (num_steps, batch_size, num_inputs).
        state0: (H0, C0), each of shape (batch_size, num_hiddens); None means zeros.
        params, backend: as in :func:`lstm_step`.

    Returns:
        (H_all, (H_T, C_T)): all hidden states, shape (num_steps, batch_size, num_hiddens),
        and the last state, each of shape (batch_size, num_hiddens).
    """
    H, C = state_pair(state0, "state0", "lstm_forward", allow_none=True)
    d2l = check_lstm("lstm_forward", X, "X", H, C, "0", params, backend)
    if H is None:
        H = C = d2l.zeros((d2l.shape(X)[1], d2l.shape(params.W_hc)[0]))
    return run_lstm(d2l, _all_steps(d2l, X, params), (H, C), params)


def run_lstm(d2l, inputs, state, params):
    """The LSTM's loop over time, given the input terms of every step; no argument checks.

    Args:
        inputs: ``(X [W_xi | W_xf | W_xo] + [b_i | b_f | b_o], X W_xc + b_c)`` of every step
            (see :func:`input_terms`), shapes (num_steps, batch_size, 3 * num_hiddens) and
            (num_steps, batch_size, num_hiddens).
        state: ``(H, C)`` before the first step, each (batch_size, num_hiddens).

    Returns:
        (H_all, (H_T, C_T)), as :func:`lstm_forward`.
    """
    W_h = side_by_side(d2l, params, "W_h", "ifo")

    def step(state, inputs_t):
        state = _lstm_cell(d2l, inputs_t, state, params, W_h)
        return state, state[0]

    state, H_all = d2l.scan(step, tuple(state), inputs)
    return H_all, state


def _lstm_cell(d2l, inputs_t, state, p, W_h):
    X_ifo, X_c = inputs_t  # X_t [W_xi | W_xf | W_xo] + [b_i | b_f | b_o] and X_t W_xc + b_c
    H, C = state
    # the three gates from one matmul, H [W_hi | W_hf | W_ho], and one sigmoid, then cut apart
    I, F, O = d2l.split(d2l.sigmoid(X_ifo + d2l.matmul(H, W_h)), 3)  # noqa: E741 (the book's names)
    C_tilde = d2l.tanh(X_c + d2l.matmul(H, p.W_hc))
    C = F * C + I * C_tilde
    H = O * d2l.tanh(C)
    return H, C


# ------------------------------------------- the gates' matrices side by side
GATE_GROUPS = {GRUParams: ("zr", "h"), LSTMParams: ("ifo", "c")}


def side_by_side(d2l, params, prefix, gates):
    """The gates' ``prefix`` tensors joined along the last axis, e.g. ``[W_hz | W_hr]`` for
    ``('W_h', 'zr')``: one matmul with it gives each gate's product, side by side."""
    named = params._asdict()
    parts = [named[prefix + g] for g in gates]
    return parts[0] if len(parts) == 1 else d2l.concat(parts, axis=-1)


def input_terms(d2l, X, params, rows_of=False):
    """The input terms of the cell's two groups (gates, candidate): ``X W_x + b`` with the
    groups' matrices side by side, e.g. the GRU's ``X [W_xz | W_xr] + [b_z | b_r]`` and ``X W_xh + b_h``.

    Args:
        X: inputs, shape (rows, num_inputs); with ``rows_of=True`` character indices, shape
            (rows,), whose one-hot ``X_t W`` is a row of ``W`` (the language model's inputs).

    Returns:
        A pair of tensors, (rows, k * num_hiddens) for the k gates and (rows, num_hiddens).
    """
    terms = []
    for gates in GATE_GROUPS[type(params)]:
        W, b = side_by_side(d2l, params, "W_x", gates), side_by_side(d2l, params, "b_", gates)
        # one-hot rows pick rows of W, so X W + b is a pick from W + b: the bias is added V times,
        # not once per row of X (the same sums, float for float)
        terms.append(d2l.take_rows(W + b, X) if rows_of else d2l.matmul(X, W) + b)
    return tuple(terms)


def _all_steps(d2l, X, params):
    """:func:`input_terms` of every step of X (num_steps, batch_size, num_inputs), kept time-major."""
    T, n, d = d2l.shape(X)
    terms = input_terms(d2l, d2l.reshape(X, (T * n, d)), params)
    return tuple(d2l.reshape(x, (T, n, d2l.shape(x)[1])) for x in terms)
