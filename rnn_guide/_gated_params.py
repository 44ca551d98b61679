"""The gated cells' parameters (d2l sections 10.1 and 10.2) and the checks of their arguments.

:func:`init_gru_params` and :func:`init_lstm_params` draw them with NumPy's seeded generator,
so every backend gets the same numbers; the ``check_*`` functions check types, dtypes and
shapes in the guide's names before any framework op runs. The cells are in :mod:`rnn_guide.gated`.
"""

from typing import NamedTuple

import numpy as np

from . import _validation as check
from . import limits
from .backends import get_backend
from .errors import RNNGuideError, ShapeError
from .recurrence import _backend_for, _expect, _expect_bias, _matrix_shape
from .refusal import refusable

GRU_GATES = ("z", "r", "h")  # update gate, reset gate, candidate state
LSTM_GATES = ("i", "f", "o", "c")  # input, forget and output gates, candidate memory cell


class GRUParams(NamedTuple):
    """The GRU's parameters, named as in d2l 10.2, and the output layer (shapes in comments)."""

    W_xz: object  #: update gate Z, input weights, shape (num_inputs, num_hiddens)
    W_hz: object  #: update gate Z, hidden weights, shape (num_hiddens, num_hiddens)
    b_z: object  #: update gate Z, bias, shape (num_hiddens,)
    W_xr: object  #: reset gate R, input weights, shape (num_inputs, num_hiddens)
    W_hr: object  #: reset gate R, hidden weights, shape (num_hiddens, num_hiddens)
    b_r: object  #: reset gate R, bias, shape (num_hiddens,)
    W_xh: object  #: candidate state, input weights, shape (num_inputs, num_hiddens)
    W_hh: object  #: candidate state, hidden weights, shape (num_hiddens, num_hiddens)
    b_h: object  #: candidate state, bias, shape (num_hiddens,)
    W_hq: object  #: output layer, weights, shape (num_hiddens, num_outputs)
    b_q: object  #: output layer, bias, shape (num_outputs,)


class LSTMParams(NamedTuple):
    """The LSTM's parameters, named as in d2l 10.1, and the output layer (shapes in comments)."""

    W_xi: object  #: input gate I, input weights, shape (num_inputs, num_hiddens)
    W_hi: object  #: input gate I, hidden weights, shape (num_hiddens, num_hiddens)
    b_i: object  #: input gate I, bias, shape (num_hiddens,)
    W_xf: object  #: forget gate F, input weights, shape (num_inputs, num_hiddens)
    W_hf: object  #: forget gate F, hidden weights, shape (num_hiddens, num_hiddens)
    b_f: object  #: forget gate F, bias, shape (num_hiddens,)
    W_xo: object  #: output gate O, input weights, shape (num_inputs, num_hiddens)
    W_ho: object  #: output gate O, hidden weights, shape (num_hiddens, num_hiddens)
    b_o: object  #: output gate O, bias, shape (num_hiddens,)
    W_xc: object  #: candidate memory cell, input weights, shape (num_inputs, num_hiddens)
    W_hc: object  #: candidate memory cell, hidden weights, shape (num_hiddens, num_hiddens)
    b_c: object  #: candidate memory cell, bias, shape (num_hiddens,)
    W_hq: object  #: output layer, weights, shape (num_hiddens, num_outputs)
    b_q: object  #: output layer, bias, shape (num_outputs,)


@refusable("rnn_guide.init_gru_params")
def init_gru_params(num_inputs, num_hiddens, num_outputs, framework, seed=0, sigma=0.01):
    """Draw the GRU's parameters with NumPy's seeded generator and convert them.

    Args and drawing as in :func:`rnn_guide.init_params`: weights from
    ``numpy.random.default_rng(seed)`` with standard deviation ``sigma``, biases zero,
    so every backend gets identical parameters.

    Returns:
        GRUParams (W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q), float32 tensors.

    Raises:
        RNNGuideError: as :func:`rnn_guide.init_params`, sizes beyond ``rnn_guide.limits`` included.
    """
    return GRUParams(
        *_draw("init_gru_params", GRU_GATES, num_inputs, num_hiddens, num_outputs, framework, seed, sigma)
    )


@refusable("rnn_guide.init_lstm_params")
def init_lstm_params(num_inputs, num_hiddens, num_outputs, framework, seed=0, sigma=0.01):
    """Draw the LSTM's parameters, as :func:`init_gru_params` does.

    Returns:
        LSTMParams (W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q),
        float32 tensors.
    """
    return LSTMParams(
        *_draw("init_lstm_params", LSTM_GATES, num_inputs, num_hiddens, num_outputs, framework, seed, sigma)
    )


def _draw(where, gates, num_inputs, num_hiddens, num_outputs, framework, seed, sigma):
    sizes = {"num_inputs": num_inputs, "num_hiddens": num_hiddens, "num_outputs": num_outputs}
    for label, value in sizes.items():
        check.positive_int(value, label, where)
    limits.check_parameters(num_inputs, num_hiddens, num_outputs, len(gates), where)  # before drawing
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


def state_pair(state, label, where, allow_none):
    """The LSTM's state ``(H, C)`` as a pair, or a clear error; None is ``(None, None)`` if allowed."""
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


def check_gru(where, X, x_label, H, h_label, params, reset_after, b_hn, backend):
    """Check a GRU call's arguments (``where`` names the function); return the backend."""
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


def check_lstm(where, X, x_label, H, C, suffix, params, backend):
    """Check an LSTM call's arguments (``where`` names the function); return the backend."""
    named = _params(params, LSTMParams, where)
    states = {f"H{suffix}": H, f"C{suffix}": C}
    optional = tuple(states) if H is None and C is None else ()
    d2l = _backend_for(where, backend, {x_label: X, **states, **named}, "W_xi", optional=optional)
    _check_gates(d2l, X, x_label, states, named, LSTM_GATES, where)
    return d2l
