"""rnn_guide's GRU and LSTM equal each framework's own layers given the same weights.

Gate orders differ: PyTorch and gluon stack the GRU's gates as (r, z, n) and the LSTM's as
(i, f, g, o) in (gates * hiddens, inputs) matrices; Keras stacks (z, r, h) and (i, f, c, o) in
(inputs, gates * hiddens) matrices, like the guide. The frameworks' second bias of a gate is zero
here, except the candidate's hidden bias of the reset-after GRU, which is the guide's ``b_hn``.
JAX has no layer of its own (flax is not installed): a ``jax.lax.scan`` with fused gate matrices
written here is the reference. Tolerance: float32 rounding (atol 1e-5).
"""

import numpy as np
import pytest

import rnn_guide

T, N, D, H_SIZE = 6, 4, 5, 7


def problem(cell, seed=0):
    """Inputs, states, parameters with non-zero biases, and b_hn, all float32 NumPy."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(T, N, D)).astype(np.float32)  # (num_steps, batch_size, num_inputs)
    H0, C0 = rng.normal(0.0, 0.5, size=(2, N, H_SIZE)).astype(np.float32)
    make = rnn_guide.init_lstm_params if cell == "lstm" else rnn_guide.init_gru_params
    p = make(D, H_SIZE, 3, "numpy", seed=1, sigma=0.4)
    p = p._make(a + rng.normal(0.0, 0.3, size=a.shape).astype(np.float32) if a.ndim == 1 else a for a in p)
    b_hn = rng.normal(0.0, 0.3, size=H_SIZE).astype(np.float32)
    return X, H0, C0, p, b_hn


def stacked(p, names):
    """(inputs, k * hiddens), (hiddens, k * hiddens), (k * hiddens,): gates side by side, in this order."""
    return (
        np.concatenate([getattr(p, f"W_x{g}") for g in names], axis=1),
        np.concatenate([getattr(p, f"W_h{g}") for g in names], axis=1),
        np.concatenate([getattr(p, f"b_{g}") for g in names]),
    )


# -------------------------------------------------------------------- PyTorch
def builtin_pytorch(cell, X, H0, C0, p, b_hn):
    import torch

    if cell == "lstm":
        layer, order, state = torch.nn.LSTM(D, H_SIZE), "ifco", (H0[None], C0[None])
    else:
        layer, order, state = torch.nn.GRU(D, H_SIZE), "rzh", (H0[None],)
    W_x, W_h, b = stacked(p, order)
    b_hh = np.zeros_like(b)
    if cell != "lstm":
        b_hh[2 * H_SIZE :] = b_hn
    with torch.no_grad():
        for name, value in (("weight_ih", W_x.T), ("weight_hh", W_h.T), ("bias_ih", b), ("bias_hh", b_hh)):
            getattr(layer, f"{name}_l0").copy_(torch.from_numpy(np.ascontiguousarray(value)))
        state = tuple(torch.from_numpy(s) for s in state)
        out, h_n = layer(torch.from_numpy(X), state if cell == "lstm" else state[0])
    h_n = [h[0].numpy() for h in (h_n if cell == "lstm" else (h_n,))]
    return out.numpy(), *h_n


# ---------------------------------------------------------------------- Keras
def builtin_tensorflow(cell, X, H0, C0, p, b_hn, reset_after=True):
    import keras

    if cell == "lstm":
        layer = keras.layers.LSTM(H_SIZE, return_sequences=True, return_state=True)
        W_x, W_h, b = stacked(p, "ifco")
        weights, state = [W_x, W_h, b], [H0, C0]
    else:
        layer = keras.layers.GRU(H_SIZE, return_sequences=True, return_state=True, reset_after=reset_after)
        W_x, W_h, b = stacked(p, "zrh")
        if reset_after:  # Keras' bias is (2, 3 * hiddens): input biases, then hidden ones
            b = np.stack([b, np.concatenate([np.zeros(2 * H_SIZE, np.float32), b_hn])])
        weights, state = [W_x, W_h, b], [H0]
    layer.build((N, T, D))
    layer.set_weights(weights)
    out, *states = layer(np.transpose(X, (1, 0, 2)), initial_state=state)  # Keras is batch-major
    return np.transpose(np.asarray(out), (1, 0, 2)), *(np.asarray(s) for s in states)


# ------------------------------------------------------------------------ JAX
def builtin_jax(cell, X, H0, C0, p, b_hn):
    import jax
    import jax.numpy as jnp

    sigmoid = jax.nn.sigmoid
    if cell == "lstm":
        W_x, W_h, b = stacked(p, "ifoc")

        def step(state, X_t):
            H, C = state
            i, f, o, c = jnp.split(X_t @ W_x + H @ W_h + b, 4, axis=-1)
            C = sigmoid(f) * C + sigmoid(i) * jnp.tanh(c)
            H = sigmoid(o) * jnp.tanh(C)
            return (H, C), H

        (H_T, C_T), out = jax.lax.scan(step, (jnp.asarray(H0), jnp.asarray(C0)), jnp.asarray(X))
        return np.asarray(out), np.asarray(H_T), np.asarray(C_T)
    W_x, W_h, b = stacked(p, "zrh")

    def step(H, X_t):
        xz, xr, xh = jnp.split(X_t @ W_x + b, 3, axis=-1)
        hz, hr, hh = jnp.split(H @ W_h, 3, axis=-1)
        z, r = sigmoid(xz + hz), sigmoid(xr + hr)
        H = z * H + (1 - z) * jnp.tanh(xh + r * (hh + b_hn))
        return H, H

    H_T, out = jax.lax.scan(step, jnp.asarray(H0), jnp.asarray(X))
    return np.asarray(out), np.asarray(H_T)


# ---------------------------------------------------------------------- gluon
def builtin_mxnet(cell, X, H0, C0, p, b_hn):
    from mxnet import np as mnp
    from mxnet import npx
    from mxnet.gluon import rnn

    npx.set_np()
    if cell == "lstm":
        layer, order, state = rnn.LSTM(H_SIZE, layout="TNC", input_size=D), "ifco", [H0[None], C0[None]]
    else:
        layer, order, state = rnn.GRU(H_SIZE, layout="TNC", input_size=D), "rzh", [H0[None]]
    layer.initialize()
    W_x, W_h, b = stacked(p, order)
    b_hh = np.zeros_like(b)
    if cell != "lstm":
        b_hh[2 * H_SIZE :] = b_hn
    values = {"i2h_weight": W_x.T, "h2h_weight": W_h.T, "i2h_bias": b, "h2h_bias": b_hh}
    for name, param in layer.collect_params().items():
        key = next(k for k in values if name.endswith(k))
        param.set_data(mnp.array(np.ascontiguousarray(values[key])))
    out, states = layer(mnp.array(X), [mnp.array(s) for s in state])
    return out.asnumpy(), *(s[0].asnumpy() for s in states)


BUILTIN = {
    "pytorch": builtin_pytorch,
    "tensorflow": builtin_tensorflow,
    "jax": builtin_jax,
    "mxnet": builtin_mxnet,
}


def guide(framework, cell, X, H0, C0, p, b_hn, reset_after=True):
    d2l = rnn_guide.get_backend(framework)
    P = p._make(d2l.tensor(a) for a in p)
    if cell == "lstm":
        H_all, states = rnn_guide.lstm_forward(d2l.tensor(X), (d2l.tensor(H0), d2l.tensor(C0)), P)
    else:
        b = d2l.tensor(b_hn) if reset_after else None
        H_all, H_T = rnn_guide.gru_forward(d2l.tensor(X), d2l.tensor(H0), P, reset_after, b)
        states = (H_T,)
    return d2l.numpy(H_all), *(d2l.numpy(s) for s in states)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_gated_cell_matches_builtin_layer(framework, cell):
    X, H0, C0, p, b_hn = problem(cell)
    ours = guide(framework, cell, X, H0, C0, p, b_hn)
    theirs = BUILTIN[framework](cell, X, H0, C0, p, b_hn)
    assert len(ours) == len(theirs) == (3 if cell == "lstm" else 2)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_d2l_form_of_the_gru_matches_keras_reset_before(framework):
    """Keras' ``reset_after=False`` is d2l's GRU: the reset gate scales H before the matmul."""
    if framework != "tensorflow":
        pytest.skip("only Keras offers the reset-before GRU as a layer")
    X, H0, C0, p, b_hn = problem("gru")
    ours = guide(framework, "gru", X, H0, C0, p, b_hn, reset_after=False)
    theirs = builtin_tensorflow("gru", X, H0, C0, p, b_hn, reset_after=False)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=1e-5)
