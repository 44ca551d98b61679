"""Backpropagation through time by hand, in NumPy: the reference the autograd backends are checked against.

For the character model (see :mod:`rnn_guide.language_model`), with
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
gradient is simply not used.
"""

import numpy as np

from .recurrence import RNNParams


def _log_softmax(O):
    shifted = O - O.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def bptt(params, X, Y, H0):
    """Loss, last state, parameter gradients and ``dL/dH_t`` for every t, by hand.

    Args:
        params: RNNParams of NumPy arrays (float32 or float64).
        X, Y: int arrays of shape (num_steps, batch_size): inputs and targets, time-major.
        H0: the initial state, shape (batch_size, num_hiddens).

    Returns:
        (loss, H_T, grads, dH): ``grads`` is an RNNParams of gradients; ``dH`` has
        shape (num_steps + 1, batch_size, num_hiddens) with ``dH[t] = dL/dH_t``
        (``dH[0]`` is the gradient reaching the initial state).
    """
    W_xh, W_hh, b_h, W_hq, b_q = params
    X, Y = np.asarray(X), np.asarray(Y)
    T, B = X.shape
    # forward, keeping every state for the backward pass
    H = [np.asarray(H0, dtype=W_hh.dtype)]
    for t in range(T):
        H.append(np.tanh(W_xh[X[t]] + H[t] @ W_hh + b_h))  # (batch_size, num_hiddens)
    H_all = np.concatenate(H[1:], axis=0)  # (T * batch_size, num_hiddens)
    O = H_all @ W_hq + b_q  # (T * batch_size, vocab_size)
    n, rows, y = T * B, np.arange(T * B), Y.reshape(-1)
    log_p = _log_softmax(O)
    loss = -log_p[rows, y].mean()
    # backward: output layer
    dO = np.exp(log_p)
    dO[rows, y] -= 1.0
    dO /= n
    dW_hq, db_q = H_all.T @ dO, dO.sum(axis=0)
    dH_out = (dO @ W_hq.T).reshape(T, B, -1)  # what each H_t gets from its own output
    # backward through time
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b_h)
    dH = np.zeros((T + 1,) + H[0].shape, dtype=dO.dtype)
    dH_next = np.zeros_like(H[0])
    for t in reversed(range(T)):
        dH[t + 1] = dH_out[t] + dH_next
        dZ = dH[t + 1] * (1.0 - H[t + 1] ** 2)
        np.add.at(dW_xh, X[t], dZ)  # onehot(X_t)^T dZ: add each row of dZ to its character's row
        dW_hh += H[t].T @ dZ
        db_h += dZ.sum(axis=0)
        dH_next = dZ @ W_hh.T
    dH[0] = dH_next
    grads = RNNParams(dW_xh, dW_hh, db_h, dW_hq, db_q)
    return loss, H[-1], grads, dH


def bptt_value_and_grad(params, X, Y, H0):
    """``(loss, H_T, grads)``: the same contract as a backend's ``value_and_grad``."""
    loss, H_T, grads, _ = bptt(params, X, Y, H0)
    return loss, H_T, grads
