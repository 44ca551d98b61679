"""The comparison: the same character model built from each framework's own recurrent layer.

This is framework code on purpose (it is what rnn_guide's from-scratch model is measured against).
Every baseline has the sizes, the initial weights (from ``rnn_guide.init_params``,
``init_gru_params`` or ``init_lstm_params``), the data order, the optimizer (plain SGD) and the
clipping (global norm) of rnn_guide's training, and the inputs are one-hot vectors as in d2l's
concise implementations. Each keeps its loss on the device, so a training loop can sum it and read
it once per epoch, as ``rnn_guide.train`` does.

    baseline = make_builtin("pytorch", vocab_size=28, num_hiddens=32, lr=1.0, clip=1.0, cell="gru")
    loss = baseline.train_step(X, Y)          # X, Y: int64 NumPy arrays (batch_size, num_steps)
    baseline.to_float(baseline.eval_loss(X, Y))

Layers: ``torch.nn.RNN``/``GRU``/``LSTM``, Keras ``SimpleRNN``/``GRU``/``LSTM``, gluon's
``rnn.RNN``/``GRU``/``LSTM`` and, for JAX (no flax here), a ``jax.lax.scan`` over the cells of
``rnn_guide.backends.jax_layers`` (the ones ``d2l.builtin_layer`` runs), written as flax's fused
cells are: one matmul of the input with all the gates' input kernels side by side, one
of the state with the hidden kernels, then a split. Each framework stacks the gates in its own
order (``GATES``); the weights are rnn_guide's, the frameworks' second bias starts at zero.

The LSTM is the same function everywhere, rnn_guide's included. The GRU is not quite: PyTorch,
gluon, Keras (``reset_after=True``, its default) and flax apply the reset gate after the hidden
matmul, ``tanh(X W_xh + b_h + R * (H W_hh + b_hn))``, while rnn_guide's GRU is d2l's
``tanh(X W_xh + (R * H) W_hh + b_h)``. The GRU baselines have the same sizes and the same cost per
step, so their speed is comparable, but their losses differ slightly after the start.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnn_guide import init_gru_params, init_lstm_params, init_params

CELLS = ("rnn", "gru", "lstm")
INIT = {"rnn": init_params, "gru": init_gru_params, "lstm": init_lstm_params}
# The frameworks' gate order (rnn_guide's names: h is the GRU's candidate, c the LSTM's); Keras'
# GRU is the one exception: z, r, h.
GATES = {"rnn": "h", "gru": "rzh", "lstm": "ifco"}
NAMES = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}  # torch.nn's, gluon.rnn's and this module's
RESET_AFTER = " (reset gate after the hidden matmul: not rnn_guide's d2l GRU, same size and cost)"


@dataclass
class Builtin:
    """A baseline: ``train_step(X, Y)`` and ``eval_loss(X, Y)`` return the mean loss as a device tensor."""

    layer: str
    train_step: Callable
    eval_loss: Callable
    to_float: Callable


def make_builtin(framework, vocab_size, num_hiddens, lr, clip, seed=0, cell="rnn"):
    """The baseline for ``framework`` ('pytorch', 'tensorflow', 'jax' or 'mxnet') and ``cell``."""
    builders = {"pytorch": _pytorch, "tensorflow": _tensorflow, "jax": _jax, "mxnet": _mxnet}
    if framework not in builders:
        raise ValueError(f"no built-in baseline for {framework!r}; expected one of {sorted(builders)}")
    if cell not in CELLS:
        raise ValueError(f"no built-in baseline for cell {cell!r}; expected one of {list(CELLS)}")
    params = INIT[cell](vocab_size, num_hiddens, vocab_size, "numpy", seed=seed)
    return builders[framework](vocab_size, num_hiddens, float(lr), float(clip), cell, params)


def stacked(params, gates):
    """W_x (inputs, k * hiddens), W_h (hiddens, k * hiddens), b (k * hiddens,), W_hq, b_q: NumPy.

    The gates' matrices side by side in the order ``gates`` (e.g. 'rzh'), as (inputs, outputs).
    """
    p = {name: np.asarray(value) for name, value in params._asdict().items()}
    W_x, W_h, b = (np.concatenate([p[f"{kind}{g}"] for g in gates], axis=-1) for kind in ("W_x", "W_h", "b_"))
    return W_x, W_h, b, p["W_hq"], p["b_q"]


def _gru_note(cell):
    return RESET_AFTER if cell == "gru" else ""


def _pytorch(V, h, lr, clip, cell, params):
    import torch
    import torch.nn.functional as F

    W_x, W_h, b, W_hq, b_q = stacked(params, GATES[cell])
    rnn, linear = getattr(torch.nn, NAMES[cell])(V, h), torch.nn.Linear(h, V)  # time-major; RNN is tanh
    values = (  # torch stores weights as (outputs, inputs); the second bias starts at zero
        (rnn.weight_ih_l0, W_x.T),
        (rnn.weight_hh_l0, W_h.T),
        (rnn.bias_ih_l0, b),
        (rnn.bias_hh_l0, np.zeros_like(b)),
        (linear.weight, W_hq.T),
        (linear.bias, b_q),
    )
    with torch.no_grad():
        for param, value in values:
            param.copy_(torch.from_numpy(np.ascontiguousarray(value)))
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

    layer = f"torch.nn.{NAMES[cell]}{_gru_note(cell)} + nn.Linear (eager), torch.optim.SGD, clip_grad_norm_"
    return Builtin(layer, train_step, eval_loss, float)


def _tensorflow(V, h, lr, clip, cell, params):
    import keras
    import tensorflow as tf

    W_x, W_h, b, W_hq, b_q = stacked(params, "zrh" if cell == "gru" else GATES[cell])
    if cell == "gru":  # reset_after: the bias is (2, 3 * h), input biases then hidden ones (zero)
        rnn, b = keras.layers.GRU(h, return_sequences=True, reset_after=True), np.stack([b, np.zeros_like(b)])
    else:
        rnn = getattr(keras.layers, {"rnn": "SimpleRNN", "lstm": "LSTM"}[cell])(h, return_sequences=True)
    dense = keras.layers.Dense(V)  # batch-major
    dense(rnn(tf.zeros((1, 1, V))))  # build both layers
    rnn.set_weights([W_x, W_h, b])  # Keras stores (inputs, outputs) like rnn_guide
    dense.set_weights([W_hq, b_q])
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
    name = {"rnn": "SimpleRNN", "gru": "GRU(reset_after=True)", "lstm": "LSTM"}[cell]
    return Builtin(
        f"keras.layers.{name}{_gru_note(cell)} + Dense under tf.function, keras SGD, tf.clip_by_global_norm",
        lambda X, Y: train_step(tf.constant(X), tf.constant(Y)),
        lambda X, Y: eval_loss(tf.constant(X), tf.constant(Y)),
        lambda x: float(x.numpy()),
    )


def _jax(V, h, lr, clip, cell, params):
    import jax
    import jax.numpy as jnp

    from rnn_guide.backends.jax_layers import CELLS as FUSED  # the cells d2l.builtin_layer runs

    names = ("W_x", "W_h", "b", "W_hq", "b_q")
    state = {"params": {k: jnp.asarray(v) for k, v in zip(names, stacked(params, GATES[cell]))}}
    if cell == "gru":
        state["params"]["b_hn"] = jnp.zeros(h, jnp.float32)
    step_of = FUSED[cell]

    def loss_of(p, X, Y):  # X, Y: (num_steps, batch_size)
        H = jnp.zeros((X.shape[1], h))
        _, Hs = jax.lax.scan(
            lambda c, x: step_of(p, c, x), (H, H) if cell == "lstm" else H, jax.nn.one_hot(X, V)
        )
        log_p = jax.nn.log_softmax(Hs @ p["W_hq"] + p["b_q"])
        return -jnp.mean(jnp.take_along_axis(log_p, Y[..., None], axis=-1))

    @jax.jit
    def step(p, X, Y):
        loss, grads = jax.value_and_grad(loss_of)(p, X, Y)
        norm = jnp.sqrt(sum(jnp.sum(g * g) for g in jax.tree_util.tree_leaves(grads)))
        scale = clip / jnp.maximum(norm, clip)  # optax.clip_by_global_norm
        return jax.tree_util.tree_map(lambda w, g: w - lr * scale * g, p, grads), loss

    eval_jit = jax.jit(loss_of)

    def train_step(X, Y):
        state["params"], loss = step(state["params"], X.T, Y.T)
        return loss

    kind = {"rnn": "a tanh cell", "gru": "a fused GRU cell", "lstm": "a fused LSTM cell"}[cell]
    return Builtin(
        f"jax.lax.scan over {kind}{_gru_note(cell)}, whole step under jax.jit, SGD, global-norm clipping",
        train_step,
        lambda X, Y: eval_jit(state["params"], X.T, Y.T),
        float,
    )


def _mxnet(V, h, lr, clip, cell, params):
    from mxnet import autograd, gluon, npx
    from mxnet import np as mnp

    npx.set_np()
    W_x, W_h, b, W_hq, b_q = stacked(params, GATES[cell])
    options = {"activation": "tanh"} if cell == "rnn" else {}
    rnn = getattr(gluon.rnn, NAMES[cell])(h, layout="TNC", input_size=V, **options)
    dense = gluon.nn.Dense(V, flatten=False, in_units=h)
    rnn.initialize()
    dense.initialize()
    values = {  # gluon stores weights as (outputs, inputs); the second bias starts at zero
        "i2h_weight": W_x.T,
        "h2h_weight": W_h.T,
        "i2h_bias": b,
        "h2h_bias": np.zeros_like(b),
    }
    for name, param in rnn.collect_params().items():
        param.set_data(mnp.array(np.ascontiguousarray(values[next(k for k in values if name.endswith(k))])))
    dense.weight.set_data(mnp.array(np.ascontiguousarray(W_hq.T)))
    dense.bias.set_data(mnp.array(b_q))
    params = [*rnn.collect_params().values(), *dense.collect_params().values()]
    rnn.hybridize(static_alloc=True, static_shape=True)
    dense.hybridize(static_alloc=True, static_shape=True)
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": lr})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()

    def loss_of(X, Y):
        X, Y = mnp.array(X.T, dtype="int64"), mnp.array(Y.T, dtype="int64")
        states = [mnp.zeros((1, X.shape[1], h)) for _ in range(2 if cell == "lstm" else 1)]
        out, _ = rnn(npx.one_hot(X, V), states)  # (num_steps, batch_size, h)
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
        f"gluon.rnn.{NAMES[cell]}{_gru_note(cell)} + nn.Dense (hybridized), gluon.Trainer sgd, "
        "global-norm clipping",
        train_step,
        loss_of,
        lambda x: float(x.item()),
    )
