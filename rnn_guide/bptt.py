"""Backpropagation through time by hand, in NumPy, and checks of autograd against it (Step 6).

For the character model (see :mod:`rnn_guide.lm_math`), with
``Z_t = X_t W_xh + H_{t-1} W_hh + b_h``, ``H_t = tanh(Z_t)``, ``O_t = H_t W_hq + b_q``
and ``L`` the mean cross-entropy over all ``n = num_steps * batch_size`` predictions:

    dL/dO_t      = (softmax(O_t) - onehot(Y_t)) / n
    dL/dW_hq     = sum_t H_t^T dO_t                 dL/db_q = sum_t dO_t
    dH_t         = dO_t W_hq^T + dH_next            (dH_next: what step t+1 sends back)
    dZ_t         = dH_t * (1 - H_t^2)               (tanh' = 1 - tanh^2)
    dL/dW_xh    += onehot(X_t)^T dZ_t               dL/dW_hh += H_{t-1}^T dZ_t
    dL/db_h     += sum_batch dZ_t                   dH_next = dZ_t W_hh^T

The loop runs backwards over time. ``dH_next`` after the last iteration is
``dL/dH_0``; with truncated BPTT the carried-in ``H_0`` is a constant, so that
gradient is simply not used. Full BPTT (:func:`bptt_full`) sends it on, back
through every earlier batch of the stream.

Each backward step multiplies by ``diag(1 - H_t^2) W_hh^T``; over ``k`` steps these
products decide whether gradients vanish or explode: :mod:`rnn_guide.gradients`
measures that.
"""

import numpy as np

from .backends import backend_of, get_backend
from .lm_math import lm_forward, log_softmax, loss_and_state
from .recurrence import RNNParams


# ------------------------------------------------------------ BPTT by hand
def _states(W_xh, W_hh, b_h, X, H0):
    """``[H_0, H_1, ..., H_T]`` for character indices X of shape (T, batch_size)."""
    H = [np.asarray(H0, dtype=W_hh.dtype)]
    for t in range(len(X)):
        H.append(np.tanh(W_xh[X[t]] + H[t] @ W_hh + b_h))  # (batch_size, num_hiddens)
    return H


def _back_through_time(W_xh, W_hh, b_h, X, H, dH_out, dH_next):
    """Send gradients back through the recurrence.

    ``dH_out[t]``: what ``H_{t+1}`` receives from its own output (None: no outputs);
    ``dH_next``: the gradient arriving at the last state from later on.
    Returns ``dW_xh, dW_hh, db_h`` and ``dH`` of shape (T + 1, batch_size, num_hiddens).
    """
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b_h)
    dH = np.zeros((len(X) + 1,) + H[0].shape, dtype=W_hh.dtype)
    for t in reversed(range(len(X))):
        dH[t + 1] = dH_next if dH_out is None else dH_out[t] + dH_next
        dZ = dH[t + 1] * (1.0 - H[t + 1] ** 2)
        np.add.at(dW_xh, X[t], dZ)  # onehot(X_t)^T dZ: add each row of dZ to its character's row
        dW_hh += H[t].T @ dZ
        db_h += dZ.sum(axis=0)
        dH_next = dZ @ W_hh.T
    dH[0] = dH_next
    return dW_xh, dW_hh, db_h, dH


def bptt(params, X, Y, H0):
    """Loss, last state, parameter gradients and ``dL/dH_t`` for every t, by hand.

    Args:
        params: RNNParams of NumPy arrays (float32 or float64).
        X: inputs, an int array of shape (num_steps, batch_size), time-major.
        Y: targets, an int array of the same shape.
        H0: the initial state, shape (batch_size, num_hiddens).

    Returns:
        (loss, H_T, grads, dH): ``grads`` is an RNNParams of gradients; ``dH`` has
        shape (num_steps + 1, batch_size, num_hiddens) with ``dH[t] = dL/dH_t``
        (``dH[0]`` is the gradient reaching the initial state).
    """
    W_xh, W_hh, b_h, W_hq, b_q = params
    X, Y = np.asarray(X), np.asarray(Y)
    T, B = X.shape
    H = _states(W_xh, W_hh, b_h, X, H0)  # every state is kept for the backward pass
    H_all = np.concatenate(H[1:], axis=0)  # (T * batch_size, num_hiddens)
    O = H_all @ W_hq + b_q  # (T * batch_size, vocab_size)
    n, rows, y = T * B, np.arange(T * B), Y.reshape(-1)
    log_p = log_softmax(O)
    loss = -log_p[rows, y].mean()
    # backward: output layer
    dO = np.exp(log_p)
    dO[rows, y] -= 1.0
    dO /= n
    dW_hq, db_q = H_all.T @ dO, dO.sum(axis=0)
    dH_out = (dO @ W_hq.T).reshape(T, B, -1)  # what each H_t gets from its own output
    # backward through time
    dW_xh, dW_hh, db_h, dH = _back_through_time(W_xh, W_hh, b_h, X, H, dH_out, np.zeros_like(H[0]))
    return loss, H[-1], RNNParams(dW_xh, dW_hh, db_h, dW_hq, db_q), dH


def bptt_value_and_grad(params, X, Y, H0):
    """``(loss, H_T, grads)``: the same contract as a backend's ``value_and_grad``."""
    loss, H_T, grads, _ = bptt(params, X, Y, H0)
    return loss, H_T, grads


def bptt_full(params, X_past, X, Y, H0):
    """Full BPTT: the loss of the batch (X, Y), differentiated back through all earlier inputs.

    The state entering the batch is computed from ``H0`` over ``X_past`` (the
    earlier batches of the same streams, shape (P, batch_size)), and the
    gradient flows back through those ``P`` steps too. ``P = 0`` is :func:`bptt`.

    Returns:
        (loss, H_T, grads, dH) with ``dH`` of shape (P + num_steps + 1, batch_size, num_hiddens).
    """
    W_xh, W_hh, b_h = params[:3]
    X_past = np.asarray(X_past).reshape(-1, np.shape(X)[1])
    H_past = _states(W_xh, W_hh, b_h, X_past, H0)
    loss, H_T, g, dH = bptt(params, X, Y, H_past[-1])
    dW_xh, dW_hh, db_h, dH_past = _back_through_time(W_xh, W_hh, b_h, X_past, H_past, None, dH[0])
    grads = RNNParams(g.W_xh + dW_xh, g.W_hh + dW_hh, g.b_h + db_h, g.W_hq, g.b_q)
    return loss, H_T, grads, np.concatenate([dH_past[:-1], dH])


def full_bptt_fn(d2l):
    """``g(params, X_past, X, Y, H0) -> (loss, H_T, grads)``: :func:`bptt_full` by the framework's autograd.

    ``X_past`` is None or a tensor of shape (P, batch_size); no stop-gradient
    anywhere, so the gradient reaches back to ``H0``. NumPy: the hand-written one.
    """
    d2l = get_backend(d2l)
    if d2l.name == "numpy":
        return lambda params, X_past, X, Y, H0: bptt_full(params, [] if X_past is None else X_past, X, Y, H0)[
            :3
        ]

    def loss_through_history(params, X_past, X, Y, H):
        H = H if X_past is None else lm_forward(d2l, params, X_past, H)[1]  # through the earlier inputs
        return loss_and_state(d2l, params, X, Y, H)

    return d2l.value_and_grad(loss_through_history)


# ---------------------------------------------------------- gradient checks
def numerical_gradients(loss_fn, arrays, eps=1e-6):
    """Central finite differences ``(f(x + eps) - f(x - eps)) / (2 eps)``, one entry at a time.

    Args:
        loss_fn: ``f(*arrays) -> float``.
        arrays: NumPy arrays (use float64: in float32 the differences are mostly rounding).

    Returns:
        A list of arrays shaped like ``arrays``.
    """
    arrays = [np.array(a, copy=True) for a in arrays]
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            keep = a[i]
            a[i] = keep + eps
            up = float(loss_fn(*arrays))
            a[i] = keep - eps
            down = float(loss_fn(*arrays))
            a[i] = keep
            g[i] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def relative_error(a, b):
    """``||a - b|| / ||b||`` (0 when both are 0): one number per gradient."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale else float(np.linalg.norm(a))


def _as_numpy(arrays, dtype=None):
    """Tensors of any backend (or NumPy arrays) as NumPy arrays."""
    out = []
    for a in arrays:
        a = a if isinstance(a, np.ndarray) else backend_of(a).numpy(a)
        out.append(np.asarray(a) if dtype is None else np.asarray(a, dtype))
    return out


def bptt_vs_finite_differences(params, X, Y, H0, eps=1e-6):
    """Hand-written BPTT against central differences (:func:`numerical_gradients`), both in float64.

    Args:
        params: RNNParams (tensors of any backend, or NumPy arrays).
        X: inputs, an int array of shape (num_steps, batch_size), time-major.
        Y: targets, an int array of the same shape.
        H0: the initial state, shape (batch_size, num_hiddens).

    Returns:
        dict name -> relative error for the five parameters and ``'H0'``.
    """
    *params, H0 = _as_numpy((*params, H0), np.float64)
    X, Y = _as_numpy((X, Y))
    _, _, grads, dH = bptt(RNNParams(*params), X, Y, H0)
    numeric = numerical_gradients(lambda *a: bptt(RNNParams(*a[:5]), X, Y, a[5])[0], [*params, H0], eps)
    return {
        name: relative_error(a, b) for name, a, b in zip((*RNNParams._fields, "H0"), (*grads, dH[0]), numeric)
    }


def autograd_vs_bptt(d2l, params, X, Y, H0):
    """Compare the framework's autograd with the hand-written BPTT on the same numbers.

    Args:
        d2l: the backend whose autograd is checked.
        params: RNNParams (tensors of any backend, or NumPy arrays); their dtype
            (float32 or float64) is used on both sides.
        X: inputs, an int array of shape (num_steps, batch_size), time-major.
        Y: targets, an int array of the same shape.
        H0: the initial state, shape (batch_size, num_hiddens).

    Returns:
        dict name -> relative error (:func:`relative_error`) for ``'loss'``, the five
        parameters and ``'H0'`` (the gradient reaching the initial state). NumPy has
        no autograd: there the hand-written gradients are compared with central
        differences instead (:func:`bptt_vs_finite_differences`).
    """
    d2l = get_backend(d2l)
    params = RNNParams(*_as_numpy(params))
    dtype = params.W_hh.dtype
    (H0,) = _as_numpy([H0], dtype)
    X, Y = _as_numpy((X, Y))
    if d2l.name == "numpy":
        return {"loss": 0.0, **bptt_vs_finite_differences(params, X, Y, H0)}
    loss, _, grads, dH = bptt(params, X, Y, H0)

    def objective(leaves, X, Y):  # H0 is a leaf too, so its gradient comes out
        return loss_and_state(d2l, RNNParams(*leaves[:5]), X, Y, leaves[5])

    leaves = tuple(d2l.tensor(a, dtype=dtype) for a in (*params, H0))
    auto_loss, _, auto = d2l.value_and_grad(objective)(leaves, d2l.tensor(X), d2l.tensor(Y))
    errors = {"loss": relative_error(d2l.numpy(auto_loss), loss)}
    for name, a, b in zip((*RNNParams._fields, "H0"), auto, (*grads, dH[0])):
        errors[name] = relative_error(d2l.numpy(a), b)
    return errors
