"""Gated cells, GRU and LSTM, written once for every backend (d2l sections 10.1 and 10.2).

Like :mod:`rnn_guide.recurrence`: the body of each step reads like its equations,
the backend is inferred from the tensors, and types, dtypes and shapes are checked
in the guide's names before any framework op runs. ``sigma`` below is the logistic
function, ``*`` the elementwise product.
"""

from typing import NamedTuple

import numpy as np

from . import validation as check
from .backends import get_backend
from .errors import RNNGuideError, ShapeError
from .recurrence import _backend_for, _expect, _expect_bias, _matrix_shape

GRU_GATES = ("z", "r", "h")  # update gate, reset gate, candidate state
LSTM_GATES = ("i", "f", "o", "c")  # input, forget and output gates, candidate memory cell


class GRUParams(NamedTuple):
    """The GRU's parameters, named as in d2l 10.2, and the output layer (shapes in comments)."""

    W_xz: object  # (num_inputs, num_hiddens)
    W_hz: object  # (num_hiddens, num_hiddens)
    b_z: object  # (num_hiddens,)
    W_xr: object  # (num_inputs, num_hiddens)
    W_hr: object  # (num_hiddens, num_hiddens)
    b_r: object  # (num_hiddens,)
    W_xh: object  # (num_inputs, num_hiddens)
    W_hh: object  # (num_hiddens, num_hiddens)
    b_h: object  # (num_hiddens,)
    W_hq: object  # (num_hiddens, num_outputs)
    b_q: object  # (num_outputs,)


class LSTMParams(NamedTuple):
    """The LSTM's parameters, named as in d2l 10.1, and the output layer (shapes in comments)."""

    W_xi: object  # (num_inputs, num_hiddens)
    W_hi: object  # (num_hiddens, num_hiddens)
    b_i: object  # (num_hiddens,)
    W_xf: object
    W_hf: object
    b_f: object
    W_xo: object
    W_ho: object
    b_o: object
    W_xc: object
    W_hc: object
    b_c: object
    W_hq: object  # (num_hiddens, num_outputs)
    b_q: object  # (num_outputs,)


def init_gru_params(num_inputs, num_hiddens, num_outputs, framework, seed=0, sigma=0.01):
    """Draw the GRU's parameters with NumPy's seeded generator and convert them.

    Args and drawing as in :func:`rnn_guide.init_params`: weights from
    ``numpy.random.default_rng(seed)`` with standard deviation ``sigma``, biases zero,
    so every backend gets identical parameters.

    Returns:
        GRUParams (W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q), float32 tensors.
    """
    return GRUParams(*_draw(GRU_GATES, num_inputs, num_hiddens, num_outputs, framework, seed, sigma))


def init_lstm_params(num_inputs, num_hiddens, num_outputs, framework, seed=0, sigma=0.01):
    """Draw the LSTM's parameters, as :func:`init_gru_params` does.

    Returns:
        LSTMParams (W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q),
        float32 tensors.
    """
    return LSTMParams(*_draw(LSTM_GATES, num_inputs, num_hiddens, num_outputs, framework, seed, sigma))


def _draw(gates, num_inputs, num_hiddens, num_outputs, framework, seed, sigma):
    where = "init_gru_params" if gates == GRU_GATES else "init_lstm_params"
    sizes = {"num_inputs": num_inputs, "num_hiddens": num_hiddens, "num_outputs": num_outputs}
    for label, value in sizes.items():
        check.positive_int(value, label, where)
    sigma = check.positive_number(sigma, "sigma", where, "the weights' standard deviation, e.g. 0.01")
    seed = check.seed(seed, where)
    d2l = get_backend(framework)
    rng = np.random.default_rng(seed)

    def draw(*shape):
        return d2l.tensor(rng.normal(0.0, sigma, size=shape).astype(np.float32))

    params = []
    for _ in gates:  # W_x?, W_h?, b_? for each gate, in the order of the named tuple
        params += [draw(num_inputs, num_hiddens), draw(num_hiddens, num_hiddens), d2l.zeros((num_hiddens,))]
    return params + [draw(num_hiddens, num_outputs), d2l.zeros((num_outputs,))]


# ------------------------------------------------------------------------ GRU
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
    d2l = _check_gru("gru_step", X_t, "X_t", H_prev, "H_prev", params, reset_after, b_hn, backend)
    inputs = input_terms(d2l, X_t, params)
    return _gru_cell(d2l, inputs, H_prev, params, side_by_side(d2l, params, "W_h", "zr"), reset_after, b_hn)


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
    d2l = _check_gru("gru_forward", X, "X", H0, "H0", params, reset_after, b_hn, backend)
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
    H_prev, C_prev = _state_pair(state, "state", "lstm_step", allow_none=False)
    d2l = _check_lstm("lstm_step", X_t, "X_t", H_prev, C_prev, "_prev", params, backend)
    W_h = side_by_side(d2l, params, "W_h", "ifo")
    return _lstm_cell(d2l, input_terms(d2l, X_t, params), (H_prev, C_prev), params, W_h)


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
    H, C = _state_pair(state0, "state0", "lstm_forward", allow_none=True)
    d2l = _check_lstm("lstm_forward", X, "X", H, C, "0", params, backend)
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
        terms.append((d2l.take_rows(W, X) if rows_of else d2l.matmul(X, W)) + b)
    return tuple(terms)


def _all_steps(d2l, X, params):
    """:func:`input_terms` of every step of X (num_steps, batch_size, num_inputs), kept time-major."""
    T, n, d = d2l.shape(X)
    terms = input_terms(d2l, d2l.reshape(X, (T * n, d)), params)
    return tuple(d2l.reshape(x, (T, n, d2l.shape(x)[1])) for x in terms)


# ------------------------------------------------------------ argument checks
def _input_shape(d2l, X, label, where):
    """(batch_size, num_inputs) of a step's X_t (a matrix) or of a sequence X (3 dimensions)."""
    if label == "X_t":
        return _matrix_shape(d2l, X, label, where)
    shape = d2l.shape(X)
    if len(shape) != 3:
        expected = "(num_steps, batch_size, num_inputs)"
        raise ShapeError(f"{where}: X must have shape {expected}, received shape {shape}")
    if shape[0] < 1:
        raise ShapeError(f"{where}: X must have at least one time step, received num_steps = 0")
    return shape[1:]


def _state_pair(state, label, where, allow_none):
    if state is None and allow_none:
        return None, None
    if not isinstance(state, (tuple, list)) or len(state) != 2:
        expected = "a pair (H, C)" + (" or None" if allow_none else "")
        raise RNNGuideError(f"{where}: {label} must be {expected}, received {check.shown(state, 60)}")
    return state


def _params(params, kind, where):
    if not isinstance(params, kind):
        maker = "init_gru_params" if kind is GRUParams else "init_lstm_params"
        raise RNNGuideError(
            f"{where}: params must be {kind.__name__} ({maker} makes them), "
            f"received a {type(params).__name__}"
        )
    return params._asdict()


def _check_gates(d2l, X, x_label, states, params, gates, where):
    """Check X's, the states' and each gate's shapes; return num_hiddens."""
    n, d = _input_shape(d2l, X, x_label, where)
    h = _matrix_shape(d2l, params[f"W_h{gates[0]}"], f"W_h{gates[0]}", where)[0]
    for g in gates:
        _expect(d2l, params[f"W_x{g}"], (d, h), f"W_x{g}", where, f"(num_inputs, num_hiddens) = ({d}, {h})")
        _expect(d2l, params[f"W_h{g}"], (h, h), f"W_h{g}", where, "(num_hiddens, num_hiddens)")
        _expect_bias(d2l, params[f"b_{g}"], h, f"b_{g}", where)
    for label, state in states.items():
        if state is not None:
            _expect(d2l, state, (n, h), label, where, f"(batch_size, num_hiddens) = ({n}, {h})")
    return h


def _check_gru(where, X, x_label, H, h_label, params, reset_after, b_hn, backend):
    named = _params(params, GRUParams, where)
    if b_hn is not None and not reset_after:
        raise RNNGuideError(f"{where}: b_hn is the reset-after form's bias; pass reset_after=True with it")
    tensors = {x_label: X, h_label: H, **named, "b_hn": b_hn}
    optional = ("H0", "b_hn") if h_label == "H0" else ("b_hn",)
    d2l = _backend_for(where, backend, tensors, "W_xz", optional=optional)
    h = _check_gates(d2l, X, x_label, {h_label: H}, named, GRU_GATES, where)
    if b_hn is not None:
        _expect_bias(d2l, b_hn, h, "b_hn", where)
    return d2l


def _check_lstm(where, X, x_label, H, C, suffix, params, backend):
    named = _params(params, LSTMParams, where)
    states = {f"H{suffix}": H, f"C{suffix}": C}
    optional = tuple(states) if H is None and C is None else ()
    d2l = _backend_for(where, backend, {x_label: X, **states, **named}, "W_xi", optional=optional)
    _check_gates(d2l, X, x_label, states, named, LSTM_GATES, where)
    return d2l
