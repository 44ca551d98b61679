"""rnn_guide's recurrence equals each framework's own built-in RNN given the same weights."""

import numpy as np

import rnn_guide

T, N, D, H_SIZE = 6, 4, 5, 7


def reference_inputs(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(T, N, D)).astype(np.float32)  # (num_steps, batch_size, num_inputs)
    H0 = rng.normal(size=(N, H_SIZE)).astype(np.float32)
    return X, H0


def builtin_pytorch(X, H0, W_xh, W_hh, b_h):
    import torch

    layer = torch.nn.RNN(D, H_SIZE, nonlinearity="tanh")  # time-major input by default
    with torch.no_grad():
        layer.weight_ih_l0.copy_(torch.from_numpy(W_xh.T))  # torch stores (hiddens, inputs)
        layer.weight_hh_l0.copy_(torch.from_numpy(W_hh.T))
        layer.bias_ih_l0.copy_(torch.from_numpy(b_h))
        layer.bias_hh_l0.zero_()
        out, h_n = layer(torch.from_numpy(X), torch.from_numpy(H0)[None])
    return out.numpy(), h_n[0].numpy()


def builtin_tensorflow(X, H0, W_xh, W_hh, b_h):
    import tensorflow as tf

    layer = tf.keras.layers.SimpleRNN(H_SIZE, return_sequences=True, return_state=True)
    layer.build((N, T, D))
    layer.set_weights([W_xh, W_hh, b_h])  # Keras stores (inputs, hiddens) like the guide
    out, h_n = layer(np.transpose(X, (1, 0, 2)), initial_state=[H0])  # Keras is batch-major
    return np.transpose(out.numpy(), (1, 0, 2)), h_n.numpy()


def builtin_jax(X, H0, W_xh, W_hh, b_h):
    import jax
    import jax.numpy as jnp

    def cell(H, X_t):
        H = jnp.tanh(X_t @ W_xh + H @ W_hh + b_h)
        return H, H

    h_n, out = jax.lax.scan(cell, jnp.asarray(H0), jnp.asarray(X))
    return np.asarray(out), np.asarray(h_n)


def builtin_mxnet(X, H0, W_xh, W_hh, b_h):
    from mxnet import np as mnp
    from mxnet import npx
    from mxnet.gluon import rnn

    npx.set_np()
    layer = rnn.RNN(H_SIZE, activation="tanh", layout="TNC", input_size=D)
    layer.initialize()
    values = {
        "i2h_weight": W_xh.T,
        "h2h_weight": W_hh.T,
        "i2h_bias": b_h,
        "h2h_bias": np.zeros_like(b_h),
    }  # gluon stores (hiddens, inputs)
    for name, param in layer.collect_params().items():
        key = next(k for k in values if name.endswith(k))
        param.set_data(mnp.array(values[key]))
    out, states = layer(mnp.array(X), [mnp.array(H0[None])])
    return out.asnumpy(), states[0][0].asnumpy()


BUILTIN = {
    "pytorch": builtin_pytorch,
    "tensorflow": builtin_tensorflow,
    "jax": builtin_jax,
    "mxnet": builtin_mxnet,
}


def test_recurrence_matches_builtin_rnn(framework):
    d2l = rnn_guide.get_backend(framework)
    X, H0 = reference_inputs()
    p = rnn_guide.init_params(D, H_SIZE, 3, d2l, seed=1, sigma=0.4)
    rng = np.random.default_rng(9)
    b_h = rng.normal(size=H_SIZE).astype(np.float32)  # a non-zero bias, so it is checked too
    H_all, H_T = rnn_guide.rnn_forward(d2l.tensor(X), d2l.tensor(H0), p.W_xh, p.W_hh, d2l.tensor(b_h))
    ref_all, ref_T = BUILTIN[framework](X, H0, d2l.numpy(p.W_xh), d2l.numpy(p.W_hh), b_h)
    np.testing.assert_allclose(d2l.numpy(H_all), ref_all, atol=1e-5)
    np.testing.assert_allclose(d2l.numpy(H_T), ref_T, atol=1e-5)
