"""Each framework's own multi-layer, bidirectional layer equals the guide's cells composed by hand.

``builtin_layer`` (``rnn_guide.backends.<framework>_layers``) loads the guide's weights into
``torch.nn.GRU(num_layers=, bidirectional=)``, a stack of Keras ``Bidirectional(GRU)``, gluon's
``rnn.GRU(num_layers=, bidirectional=)`` or, for JAX, ``jax.lax.scan`` over flax-style fused cells.
The reference is the guide's own ``rnn_forward``, ``gru_forward(reset_after=True)`` and
``lstm_forward`` on the NumPy backend: the backward direction runs on the time-reversed input and
its outputs are reversed back, the directions are concatenated (forward first), and each layer's
output is the next layer's input.

Tolerance: float32. The states are bounded by tanh (|H| <= 1) and each pre-activation sums at most
2 * 6 + 6 = 18 products of size ~0.4, so one step's rounding is a few 1e-7; over 5 steps and 3
layers it stays near 1e-6. atol 1e-5 leaves room for that, while a wrong gate order, a lost bias
or a direction not reversed changes outputs by ~0.1 (the weights' sigma is 0.4, the biases' 0.3).
"""

import importlib
import inspect

import numpy as np
import pytest

import rnn_guide
from rnn_guide.backends import layers as layout

T, N, D, H_SIZE = 5, 3, 4, 6
INIT = {"rnn": rnn_guide.init_params, "gru": rnn_guide.init_gru_params, "lstm": rnn_guide.init_lstm_params}
CASES = [(cell, L, bi) for cell in ("rnn", "gru", "lstm") for L in (1, 2, 3) for bi in (False, True)]


def make_layers(cell, num_layers, bidirectional, seed=0):
    """Random weights in the layout of ``rnn_guide.backends.layers``, with non-zero biases."""
    rng = np.random.default_rng(seed)
    num_directions = 2 if bidirectional else 1
    layers = []
    for k in range(num_layers):
        num_inputs = D if k == 0 else num_directions * H_SIZE
        directions = []
        for _ in range(num_directions):
            p = INIT[cell](num_inputs, H_SIZE, 1, "numpy", seed=int(rng.integers(2**31)), sigma=0.4)
            biased = (a + rng.normal(0.0, 0.3, a.shape).astype(np.float32) if a.ndim == 1 else a for a in p)
            directions.append(p._make(biased))
        layers.append(tuple(directions))
    return layers


def guide_direction(cell, p, X, backend):
    """H_all of one direction of one layer, from the guide's own forward function."""
    if cell == "rnn":
        return rnn_guide.rnn_forward(X, None, p.W_xh, p.W_hh, p.b_h, backend=backend)[0]
    if cell == "gru":
        return rnn_guide.gru_forward(X, None, p, reset_after=True, backend=backend)[0]
    return rnn_guide.lstm_forward(X, None, p, backend=backend)[0]


def guide_layers(d2l, cell, layers, X):
    """The guide's cells stacked and run both ways on backend ``d2l``: (T, N, directions * H)."""

    def reverse(x):  # along time; torch tensors cannot be sliced with a negative step
        return d2l.stack([x[t] for t in reversed(range(d2l.shape(x)[0]))], 0)

    for directions in layers:
        params = [p._make(d2l.tensor(a) for a in p) for p in directions]
        H_all = [guide_direction(cell, params[0], X, d2l)]
        if len(params) == 2:
            H_all.append(reverse(guide_direction(cell, params[1], reverse(X), d2l)))
        X = d2l.concat(H_all, axis=-1)
    return X


def builtin_module(framework):
    return importlib.import_module(f"rnn_guide.backends.{framework}_layers")


def inputs(seed=1):
    return np.random.default_rng(seed).normal(size=(T, N, D)).astype(np.float32)  # (num_steps, batch, inputs)


@pytest.mark.parametrize("cell, num_layers, bidirectional", CASES)
def test_builtin_layer_matches_the_guide(framework, cell, num_layers, bidirectional):
    d2l = rnn_guide.get_backend(framework)
    layers = make_layers(cell, num_layers, bidirectional)
    X = inputs()
    expected = guide_layers(rnn_guide.get_backend("numpy"), cell, layers, X)
    run = builtin_module(framework).builtin_layer(cell, layers, bidirectional=bidirectional)
    H_all = d2l.numpy(run(d2l.tensor(X)))
    assert H_all.shape == (T, N, (2 if bidirectional else 1) * H_SIZE)
    np.testing.assert_allclose(H_all, expected, atol=1e-5)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_builtin_layer_gradient_matches_the_guide(framework, cell):
    """d(sum(H_all * R))/dX through the framework's layer equals it through the guide's cells.

    Both are the framework's autodiff of the same function, so they agree to float32 rounding;
    the gradients are sums over steps and layers of terms up to ~1, hence atol 1e-4.
    """
    d2l = rnn_guide.get_backend(framework)
    layers = make_layers(cell, 2, True, seed=3)
    R = d2l.tensor(np.random.default_rng(4).normal(size=(T, N, 2 * H_SIZE)).astype(np.float32))
    run = builtin_module(framework).builtin_layer(cell, layers, bidirectional=True)

    def grad_X(forward):
        loss_of = d2l.value_and_grad(lambda p: (d2l.reduce_sum(forward(p[0]) * R), None))
        return d2l.numpy(loss_of((d2l.tensor(inputs()),))[2][0])

    ours = grad_X(lambda X: guide_layers(d2l, cell, layers, X))
    theirs = grad_X(run)
    assert np.abs(theirs).max() > 0.1
    np.testing.assert_allclose(theirs, ours, atol=1e-4)


def test_builtin_layer_is_short_enough_to_show(framework):
    """Notebook 9 prints the builder's source: it must stay one screen."""
    source = inspect.getsource(builtin_module(framework).builtin_layer)
    assert len(source.splitlines()) <= 45


# --------------------------------------------------- the layout's checks (NumPy only)
def test_check_layers_returns_the_sizes():
    assert layout.check_layers("gru", make_layers("gru", 3, True), True) == (D, H_SIZE)
    assert layout.check_layers("rnn", make_layers("rnn", 2, False), False) == (D, H_SIZE)


@pytest.mark.parametrize(
    "cell, layers, bidirectional, message",
    [
        ("gru", make_layers("gru", 2, True), False, r"layers\[0\] must be a tuple \(forward,\)"),
        ("gru", make_layers("gru", 2, False), True, r"\(forward, backward\)"),
        ("lstm", make_layers("gru", 1, False), False, "must hold LSTMParams for cell 'lstm'"),
        ("gru", [], False, "non-empty list"),
        ("cnn", make_layers("gru", 1, False), False, "cell must be one of"),
        ("gru", make_layers("gru", 1, False), "yes", "bidirectional must be True or False"),
    ],
)
def test_check_layers_refuses_a_wrong_layout(cell, layers, bidirectional, message):
    with pytest.raises(rnn_guide.RNNGuideError, match=message):
        layout.check_layers(cell, layers, bidirectional)


def test_check_layers_names_a_misshapen_layer():
    one_way = make_layers("rnn", 2, False)
    two_way_inputs = make_layers("rnn", 2, True)[1][0]  # layer 1 of a bidirectional stack: 2 * H inputs
    with pytest.raises(
        rnn_guide.ShapeError, match=r"layers\[1\]'s W_xh must have shape \(6, 6\), received \(12, 6\)"
    ):
        layout.check_layers("rnn", [one_way[0], (two_way_inputs,)], False)


def test_the_frameworks_names_and_shapes():
    layers = make_layers("lstm", 2, True)
    torch_names = layout.torch_state_dict("lstm", layers)
    assert torch_names["weight_ih_l1_reverse"].shape == (4 * H_SIZE, 2 * H_SIZE)
    assert not torch_names["bias_hh_l0"].any()
    assert layout.gluon_params("lstm", layers)["r1_h2h_weight"].shape == (4 * H_SIZE, H_SIZE)
    keras = layout.keras_weights("gru", make_layers("gru", 2, True))
    assert [w.shape for w in keras[:3]] == [(D, 3 * H_SIZE), (H_SIZE, 3 * H_SIZE), (2, 3 * H_SIZE)]
    assert len(keras) == 2 * 2 * 3
    fused = layout.fused_weights("gru", make_layers("gru", 2, False))
    assert [sorted(w) for w in fused[1]] == [["W_h", "W_x", "b", "b_hn"]]
