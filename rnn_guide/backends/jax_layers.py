"""A multi-layer, bidirectional recurrent layer in JAX, written as flax's cells are, with the guide's weights.

JAX has no recurrent layer of its own, and flax is not installed here. The cells below are written
as flax's fused cells: one matmul of the input with all the gates' kernels side by side, one of the
state, then a split into the gates (flax's order: r, z, n for the GRU, i, f, g, o for the LSTM).
``jax.lax.scan`` runs a cell over time, once per layer and direction. The weights' layout is
described in :mod:`rnn_guide.backends.layers`.

To differentiate: JAX differentiates functions of their arguments, so the weights are ``run``'s
second argument (by default the guide's, as loaded)::

    weights = weights_of(cell, layers)
    loss, grads = jax.value_and_grad(lambda w: run(X, w).sum())(weights)

``grads`` has the structure of ``weights``; ``run`` is compiled with ``jax.jit``, and so can be the
whole gradient.
"""

import functools

import jax
import jax.numpy as jnp

from .layers import check_layers, fused_weights

sigmoid = jax.nn.sigmoid


def rnn_cell(w, H, X_t):
    """One tanh RNN step: ``H = tanh(X_t W_x + H W_h + b)``; returns (carry, output)."""
    H = jnp.tanh(X_t @ w["W_x"] + H @ w["W_h"] + w["b"])
    return H, H


def gru_cell(w, H, X_t):
    """One reset-after GRU step, as flax's ``GRUCell`` (its candidate's hidden projection has a bias)."""
    xr, xz, xn = jnp.split(X_t @ w["W_x"] + w["b"], 3, axis=-1)
    hr, hz, hn = jnp.split(H @ w["W_h"], 3, axis=-1)
    R, Z = sigmoid(xr + hr), sigmoid(xz + hz)
    H = (1 - Z) * jnp.tanh(xn + R * (hn + w["b_hn"])) + Z * H
    return H, H


def lstm_cell(w, state, X_t):
    """One LSTM step, as flax's ``OptimizedLSTMCell``: the carry is (H, C)."""
    H, C = state
    i, f, c, o = jnp.split(X_t @ w["W_x"] + H @ w["W_h"] + w["b"], 4, axis=-1)
    C = sigmoid(f) * C + sigmoid(i) * jnp.tanh(c)
    H = sigmoid(o) * jnp.tanh(C)
    return (H, C), H


CELLS = {"rnn": rnn_cell, "gru": gru_cell, "lstm": lstm_cell}


def weights_of(cell, layers):
    """The guide's weights as the fused cells' pytree: per layer, a list over directions of dicts
    of JAX arrays ``W_x``, ``W_h``, ``b`` (and the GRU's ``b_hn``, zero)."""
    return jax.tree_util.tree_map(jnp.asarray, fused_weights(cell, layers))


def builtin_layer(cell, layers, bidirectional=False):
    """A stack of flax-style cells for ``cell`` run by ``jax.lax.scan``, loaded with the guide's weights.

    Args:
        cell: ``'rnn'`` (tanh), ``'gru'`` (reset-after, flax's form) or ``'lstm'``.
        layers: per layer, a tuple of one (forward) or two (forward, backward) parameter named
            tuples; see :mod:`rnn_guide.backends.layers`.
        bidirectional: True for two directions per layer.

    Returns:
        ``run(X, weights=the guide's)``: X a JAX array (num_steps, batch_size, num_inputs); returns
        H_all, (num_steps, batch_size, num_directions * num_hiddens). Every layer starts from zeros.
    """
    num_inputs, num_hiddens = check_layers(cell, layers, bidirectional)
    step = CELLS[cell]

    def direction(w, X):  # one layer, one direction, over time
        H = jnp.zeros((X.shape[1], num_hiddens), X.dtype)
        _, H_all = jax.lax.scan(functools.partial(step, w), (H, H) if cell == "lstm" else H, X)
        return H_all

    loaded = weights_of(cell, layers)

    def run(X, weights=loaded):
        for forward, *backward in weights:
            H_all = [direction(forward, X)]
            if backward:  # read from the last step to the first, then put back in time order
                H_all.append(direction(backward[0], X[::-1])[::-1])
            X = jnp.concatenate(H_all, axis=-1)  # forward first
        return X

    return jax.jit(run)  # compiled once per input shape, as flax models are run
