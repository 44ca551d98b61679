"""The comparison: the same character model built from each framework's own RNN layer.

This is framework code on purpose (it is what rnn_guide's from-scratch model is measured against).
Every baseline has the sizes, the initial weights (from ``rnn_guide.init_params``), the data order,
the optimizer (plain SGD) and the clipping (global norm) of rnn_guide's training, and the inputs
are one-hot vectors as in d2l's concise implementations. Each keeps its loss on the device, so a
training loop can sum it and read it once per epoch, as ``rnn_guide.train`` does.

    baseline = make_builtin("pytorch", vocab_size=28, num_hiddens=32, lr=1.0, clip=1.0)
    loss = baseline.train_step(X, Y)          # X, Y: int64 NumPy arrays (batch_size, num_steps)
    baseline.to_float(baseline.eval_loss(X, Y))
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnn_guide.recurrence import init_params


@dataclass
class Builtin:
    """A baseline: ``train_step(X, Y)`` and ``eval_loss(X, Y)`` return the mean loss as a device tensor."""

    layer: str
    train_step: Callable
    eval_loss: Callable
    to_float: Callable


def make_builtin(framework, vocab_size, num_hiddens, lr, clip, seed=0):
    """The baseline for ``framework`` ('pytorch', 'tensorflow', 'jax' or 'mxnet')."""
    builders = {"pytorch": _pytorch, "tensorflow": _tensorflow, "jax": _jax, "mxnet": _mxnet}
    if framework not in builders:
        raise ValueError(f"no built-in baseline for {framework!r}; expected one of {sorted(builders)}")
    init = [np.asarray(p) for p in init_params(vocab_size, num_hiddens, vocab_size, "numpy", seed=seed)]
    return builders[framework](vocab_size, num_hiddens, float(lr), float(clip), init)


def _pytorch(V, h, lr, clip, init):
    import torch
    import torch.nn.functional as F

    W_xh, W_hh, b_h, W_hq, b_q = (torch.from_numpy(p) for p in init)
    rnn, linear = torch.nn.RNN(V, h, nonlinearity="tanh"), torch.nn.Linear(h, V)  # time-major
    with torch.no_grad():  # torch stores weights as (outputs, inputs)
        rnn.weight_ih_l0.copy_(W_xh.T)
        rnn.weight_hh_l0.copy_(W_hh.T)
        rnn.bias_ih_l0.copy_(b_h)
        rnn.bias_hh_l0.zero_()
        linear.weight.copy_(W_hq.T)
        linear.bias.copy_(b_q)
    params = [*rnn.parameters(), *linear.parameters()]
    optimizer = torch.optim.SGD(params, lr=lr)

    def loss_of(X, Y):
        X, Y = torch.from_numpy(np.ascontiguousarray(X.T)), torch.from_numpy(np.ascontiguousarray(Y.T))
        out, _ = rnn(F.one_hot(X, V).float())  # (num_steps, batch_size, h)
        return F.cross_entropy(linear(out).reshape(-1, V), Y.reshape(-1))

    def train_step(X, Y):
        loss = loss_of(X, Y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, clip)
        optimizer.step()
        return loss.detach()

    def eval_loss(X, Y):
        with torch.no_grad():
            return loss_of(X, Y)

    return Builtin(
        "torch.nn.RNN + nn.Linear (eager), torch.optim.SGD, clip_grad_norm_", train_step, eval_loss, float
    )


def _tensorflow(V, h, lr, clip, init):
    import keras
    import tensorflow as tf

    rnn = keras.layers.SimpleRNN(h, return_sequences=True)  # batch-major
    dense = keras.layers.Dense(V)
    dense(rnn(tf.zeros((1, 1, V))))  # build both layers
    rnn.set_weights(init[:3])  # Keras stores (inputs, outputs) like rnn_guide
    dense.set_weights(init[3:])
    variables = rnn.trainable_variables + dense.trainable_variables
    optimizer = keras.optimizers.SGD(learning_rate=lr)

    def loss_of(X, Y):
        O = dense(rnn(tf.one_hot(X, V)))  # (batch_size, num_steps, V)
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(Y, O))

    @tf.function
    def train_step(X, Y):
        with tf.GradientTape() as tape:
            loss = loss_of(X, Y)
        grads, _ = tf.clip_by_global_norm(tape.gradient(loss, variables), clip)
        optimizer.apply_gradients(zip(grads, variables))
        return loss

    eval_loss = tf.function(loss_of)
    return Builtin(
        "keras.layers.SimpleRNN + Dense under tf.function, keras SGD, tf.clip_by_global_norm",
        lambda X, Y: train_step(tf.constant(X), tf.constant(Y)),
        lambda X, Y: eval_loss(tf.constant(X), tf.constant(Y)),
        lambda x: float(x.numpy()),
    )


def _jax(V, h, lr, clip, init):
    import jax
    import jax.numpy as jnp

    state = {"params": tuple(jnp.asarray(p) for p in init)}

    def loss_of(params, X, Y):  # X, Y: (num_steps, batch_size)
        W_xh, W_hh, b_h, W_hq, b_q = params

        def cell(H, X_t):
            H = jnp.tanh(X_t @ W_xh + H @ W_hh + b_h)
            return H, H

        _, Hs = jax.lax.scan(cell, jnp.zeros((X.shape[1], h)), jax.nn.one_hot(X, V))
        log_p = jax.nn.log_softmax(Hs @ W_hq + b_q)
        return -jnp.mean(jnp.take_along_axis(log_p, Y[..., None], axis=-1))

    @jax.jit
    def step(params, X, Y):
        loss, grads = jax.value_and_grad(loss_of)(params, X, Y)
        norm = jnp.sqrt(sum(jnp.sum(g * g) for g in grads))
        scale = clip / jnp.maximum(norm, clip)  # optax.clip_by_global_norm
        return tuple(p - lr * scale * g for p, g in zip(params, grads)), loss

    eval_jit = jax.jit(loss_of)

    def train_step(X, Y):
        state["params"], loss = step(state["params"], X.T, Y.T)
        return loss

    return Builtin(
        "jax.lax.scan over a tanh cell, whole step under jax.jit, SGD, global-norm clipping",
        train_step,
        lambda X, Y: eval_jit(state["params"], X.T, Y.T),
        float,
    )


def _mxnet(V, h, lr, clip, init):
    from mxnet import autograd, gluon, npx
    from mxnet import np as mnp

    npx.set_np()
    W_xh, W_hh, b_h, W_hq, b_q = init
    rnn = gluon.rnn.RNN(h, activation="tanh", layout="TNC", input_size=V)
    dense = gluon.nn.Dense(V, flatten=False, in_units=h)
    rnn.initialize()
    dense.initialize()
    values = {  # gluon stores weights as (outputs, inputs)
        "i2h_weight": W_xh.T,
        "h2h_weight": W_hh.T,
        "i2h_bias": b_h,
        "h2h_bias": np.zeros_like(b_h),
    }
    for name, param in rnn.collect_params().items():
        param.set_data(mnp.array(values[next(k for k in values if name.endswith(k))]))
    dense.weight.set_data(mnp.array(W_hq.T))
    dense.bias.set_data(mnp.array(b_q))
    params = [*rnn.collect_params().values(), *dense.collect_params().values()]
    rnn.hybridize(static_alloc=True, static_shape=True)
    dense.hybridize(static_alloc=True, static_shape=True)
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": lr})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()

    def loss_of(X, Y):
        X, Y = mnp.array(X.T, dtype="int64"), mnp.array(Y.T, dtype="int64")
        H0 = mnp.zeros((1, X.shape[1], h))
        out, _ = rnn(npx.one_hot(X, V), [H0])  # (num_steps, batch_size, h)
        return loss_fn(dense(out), Y).mean()

    def train_step(X, Y):
        with autograd.record():
            loss = loss_of(X, Y)
        loss.backward()
        grads = [p.grad() for p in params]
        # gluon.utils.clip_global_norm reads the norm on the host; this is the same scaling without it
        norm = mnp.sqrt(sum((g * g).sum() for g in grads))
        scale = clip / mnp.maximum(norm, clip)
        for g in grads:
            g[:] = g * scale
        trainer.step(1)
        return loss.detach()

    return Builtin(
        "gluon.rnn.RNN + nn.Dense (hybridized), gluon.Trainer sgd, global-norm clipping",
        train_step,
        loss_of,
        lambda x: float(x.item()),
    )
