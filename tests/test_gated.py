"""The gated cells (GRU, LSTM): every backend against NumPy, autograd against central differences,
and shape errors in the guide's names. The built-in layers are compared in test_gated_builtin.py.

Tolerances: float32 forwards agree to 1e-5 (the issue's bound). The gradient check runs in float64
(JAX inside ``jax.enable_x64``); central differences with eps = 1e-6 carry a truncation error of
order eps^2 and rounding of order 1e-16 / eps, so the relative error asserted is 1e-6.
"""

import contextlib

import numpy as np
import pytest

import rnn_guide
from rnn_guide import GRUParams, LSTMParams, ShapeError
from rnn_guide.bptt import relative_error
from rnn_guide.errors import RNNGuideError

T, N, D, H_SIZE, Q = 5, 3, 4, 6, 2  # steps, batch, inputs, hiddens, outputs
CELLS = ["gru", "gru_reset_after", "lstm"]


def inputs(seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(T, N, D)).astype(dtype)  # (num_steps, batch_size, num_inputs)
    H0, C0 = rng.normal(0.0, 0.5, size=(2, N, H_SIZE)).astype(dtype)
    return X, H0, C0


def init(cell, d2l, seed=1, sigma=0.5):
    make = rnn_guide.init_lstm_params if cell == "lstm" else rnn_guide.init_gru_params
    return make(D, H_SIZE, Q, d2l, seed=seed, sigma=sigma)


def forward(cell, X, H0, C0, params):
    """(H_all, H_T, C_T or None) of one cell."""
    if cell == "lstm":
        H_all, (H_T, C_T) = rnn_guide.lstm_forward(X, None if H0 is None else (H0, C0), params)
        return H_all, H_T, C_T
    H_all, H_T = rnn_guide.gru_forward(X, H0, params, reset_after=cell == "gru_reset_after")
    return H_all, H_T, None


# ------------------------------------------------------------- five backends, one answer
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("zero_state", [False, True])
def test_every_backend_matches_numpy(backend, ref, cell, zero_state):
    X, H0, C0 = inputs()
    results = []
    for d2l in (ref, backend):
        states = (None, None) if zero_state else (d2l.tensor(H0), d2l.tensor(C0))
        out = forward(cell, d2l.tensor(X), *states, init(cell, d2l))
        results.append([None if t is None else d2l.numpy(t) for t in out])
    (ref_all, ref_T, ref_C), (H_all, H_T, C_T) = results
    assert H_all.shape == (T, N, H_SIZE) and H_T.shape == (N, H_SIZE)
    np.testing.assert_allclose(H_all, ref_all, atol=1e-5)
    np.testing.assert_allclose(H_T, ref_T, atol=1e-5)
    np.testing.assert_allclose(H_all[-1], H_T, atol=0)
    if cell == "lstm":
        np.testing.assert_allclose(C_T, ref_C, atol=1e-5)


def test_params_are_seeded_numpy_draws_with_zero_biases(backend):
    for cell, kind in (("gru", GRUParams), ("lstm", LSTMParams)):
        p = init(cell, backend, seed=3, sigma=0.01)
        assert isinstance(p, kind) and backend.shape(p.W_hq) == (H_SIZE, Q)
        rng = np.random.default_rng(3)
        first = rng.normal(0.0, 0.01, size=(D, H_SIZE)).astype(np.float32)
        np.testing.assert_array_equal(backend.numpy(p[0]), first)
        for name in kind._fields:
            if name.startswith("b_"):
                assert not np.any(backend.numpy(getattr(p, name)))


def test_steps_equal_the_forward(ref):
    X, H0, C0 = inputs()
    p = init("gru", ref)
    H = H0
    for t in range(T):
        H = rnn_guide.gru_step(X[t], H, p, reset_after=True)
    np.testing.assert_allclose(H, rnn_guide.gru_forward(X, H0, p, reset_after=True)[1], atol=0)
    q = init("lstm", ref)
    state = (H0, C0)
    for t in range(T):
        state = rnn_guide.lstm_step(X[t], state, q)
    _, last = rnn_guide.lstm_forward(X, (H0, C0), q)
    np.testing.assert_allclose(np.stack(state), np.stack(last), atol=0)


def test_the_two_gru_forms_differ(ref):
    X, H0, _ = inputs()
    p = init("gru", ref)
    d2l_form = rnn_guide.gru_forward(X, H0, p)[1]
    after = rnn_guide.gru_forward(X, H0, p, reset_after=True)[1]
    assert np.max(np.abs(d2l_form - after)) > 1e-3  # not the same function of the weights


# ------------------------------------------------- autograd against central differences
def float64(d2l):
    """JAX computes in float32 unless x64 is on: switch it on for one block only."""
    if d2l.name == "jax":
        import jax

        return jax.enable_x64(True)
    return contextlib.nullcontext()


def gradient_problem(cell, seed=4):
    """float64 parameters (non-zero biases), inputs, states and the loss's weights, all NumPy."""
    rng = np.random.default_rng(seed)
    kind = LSTMParams if cell == "lstm" else GRUParams
    p32 = init(cell, "numpy", seed=seed, sigma=0.6)
    params = kind(*(np.asarray(a, np.float64) + rng.normal(0.0, 0.3, size=np.shape(a)) for a in p32))
    X, H0, C0 = (a.astype(np.float64) for a in inputs(seed))
    weights = rng.normal(size=(T, N, Q)), rng.normal(size=(N, H_SIZE))
    return params, X, H0, C0, weights


def loss_fn(cell, d2l):
    """``sum(O * w_O) + sum(C_T * w_C)``: every parameter, the output layer included, has a gradient."""

    def loss(params, X, H0, C0, w_O, w_C):
        H_all, _, C_T = forward(cell, X, H0, C0, params)
        O = d2l.matmul(H_all, params.W_hq) + params.b_q  # (num_steps, batch_size, num_outputs)
        total = d2l.reduce_sum(O * w_O)
        if C_T is not None:
            total = total + d2l.reduce_sum(C_T * w_C)
        return total, None

    return loss


def central_differences(cell, params, args, eps=1e-6):
    d2l = rnn_guide.get_backend("numpy")
    loss = loss_fn(cell, d2l)
    grads = []
    for i, p in enumerate(params):
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            values = []
            for sign in (1.0, -1.0):
                q = p.copy()
                q[idx] += sign * eps
                values.append(float(loss(params._replace(**{params._fields[i]: q}), *args)[0]))
            g[idx] = (values[0] - values[1]) / (2 * eps)
        grads.append(g)
    return grads


@pytest.mark.parametrize("cell", CELLS)
def test_autograd_matches_central_differences_in_float64(framework, cell):
    d2l = rnn_guide.get_backend(framework)
    params, X, H0, C0, (w_O, w_C) = gradient_problem(cell)
    expected = central_differences(cell, params, (X, H0, C0, w_O, w_C))
    with float64(d2l):
        P = type(params)(*(d2l.tensor(a, dtype="float64") for a in params))
        args = [d2l.tensor(a, dtype="float64") for a in (X, H0, C0, w_O, w_C)]
        _, _, grads = d2l.value_and_grad(loss_fn(cell, d2l))(P, *args)
        grads = [d2l.numpy(g) for g in grads]
    errors = {name: relative_error(g, e) for name, g, e in zip(params._fields, grads, expected)}
    assert max(errors.values()) < 1e-6, errors


# ------------------------------------------------------------------ errors, guide's names
@pytest.mark.parametrize(
    "call, message",
    [
        (lambda X, H0, C0, g, l: rnn_guide.gru_forward(X[0], H0, g), "X must have shape (num_steps"),
        (lambda X, H0, C0, g, l: rnn_guide.gru_forward(X[:0], H0, g), "at least one time step"),
        (lambda X, H0, C0, g, l: rnn_guide.gru_forward(X, H0[:, :2], g), "H0 has shape (3, 2)"),
        (
            lambda X, H0, C0, g, l: rnn_guide.gru_forward(X, H0, g._replace(W_xr=g.W_xr[:2])),
            "W_xr has shape (2, 6), expected (4, 6)",
        ),
        (lambda X, H0, C0, g, l: rnn_guide.gru_step(X, H0, g), "X_t must be a matrix"),
        (
            lambda X, H0, C0, g, l: rnn_guide.gru_forward(X, H0, g, reset_after=True, b_hn=H0[0, :2]),
            "b_hn has shape (2,)",
        ),
        (lambda X, H0, C0, g, l: rnn_guide.lstm_forward(X, (H0, C0[:2]), l), "C0 has shape (2, 6)"),
        (
            lambda X, H0, C0, g, l: rnn_guide.lstm_forward(X, None, l._replace(b_f=l.b_f[:3])),
            "b_f has shape (3,)",
        ),
        (
            lambda X, H0, C0, g, l: rnn_guide.lstm_step(X[0], (H0[:1], C0), l),
            "H_prev has shape (1, 6), expected (3, 6)",
        ),
        (
            lambda X, H0, C0, g, l: rnn_guide.lstm_forward(X, None, l._replace(W_hc=l.W_hc[:, :5])),
            "W_hc has shape (6, 5)",
        ),
    ],
)
def test_bad_shapes_raise_shape_errors_in_the_guides_names(ref, call, message):
    X, H0, C0 = inputs()
    with pytest.raises(ShapeError) as info:
        call(X, H0, C0, init("gru", ref), init("lstm", ref))
    assert message in str(info.value)


def test_bad_arguments_are_named(ref):
    X, H0, C0 = inputs()
    gru, lstm = init("gru", ref), init("lstm", ref)
    with pytest.raises(RNNGuideError, match="params must be GRUParams"):
        rnn_guide.gru_forward(X, H0, lstm)
    with pytest.raises(RNNGuideError, match="params must be LSTMParams"):
        rnn_guide.lstm_forward(X, None, tuple(lstm))
    with pytest.raises(RNNGuideError, match="state0 must be a pair"):
        rnn_guide.lstm_forward(X, H0, lstm)
    with pytest.raises(RNNGuideError, match="state must be a pair"):
        rnn_guide.lstm_step(X[0], None, lstm)
    with pytest.raises(RNNGuideError, match="pass reset_after=True"):
        rnn_guide.gru_forward(X, H0, gru, b_hn=gru.b_h)
    with pytest.raises(RNNGuideError, match="X must be a tensor"):
        rnn_guide.gru_forward(X.tolist(), H0, gru)
    with pytest.raises(RNNGuideError, match="C0 must be a tensor"):
        rnn_guide.lstm_forward(X, (H0, None), lstm)
    with pytest.raises(RNNGuideError, match="num_hiddens must be a positive integer"):
        rnn_guide.init_gru_params(3, 0, 2, ref)
