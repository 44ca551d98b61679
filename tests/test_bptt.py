"""Gradients through time: the hand-written BPTT against finite differences, every autograd against it,
clipping, and truncated against full BPTT.

Tolerances: the autograd checks run in float64 (JAX inside ``jax.enable_x64``), where autograd and the
hand-written BPTT agree to rounding (about 1e-15); they assert 1e-10, inside the issue's 1e-5. The same
checks in float32, the dtype training uses, assert 1e-5 (measured: at most 3e-6, on MXNet). Central
differences (float64, eps = 1e-6) carry a truncation error of order eps^2 and rounding of order
1e-16 / eps: they assert 1e-6 (measured: about 5e-9).
"""

import contextlib
import math

import numpy as np
import pytest

import rnn_guide
from rnn_guide.bptt import (
    autograd_vs_bptt,
    bptt,
    bptt_full,
    bptt_vs_finite_differences,
    full_bptt_fn,
    numerical_gradients,
    relative_error,
)
from rnn_guide.lm_math import loss_and_state
from rnn_guide.recurrence import RNNParams
from rnn_guide.training import gradient_fn

V, h, T, B = 5, 4, 4, 3  # vocabulary, hidden units, steps, batch


def problem(dtype=np.float64, seed=0, num_steps=T):
    """Random parameters (large enough that tanh is not linear), inputs, targets and a non-zero H0."""
    rng = np.random.default_rng(seed)
    shapes = [(V, h), (h, h), (h,), (h, V), (V,)]
    params = RNNParams(*(rng.normal(0.0, 0.6, size=s).astype(dtype) for s in shapes))
    X, Y = rng.integers(0, V, size=(2, num_steps, B))
    H0 = rng.normal(0.0, 0.5, size=(B, h)).astype(dtype)
    return params, X, Y, H0


def float64(d2l):
    """JAX computes in float32 unless x64 is on: switch it on for one block only (no global state)."""
    if d2l.name == "jax":
        import jax

        return jax.enable_x64(True)
    return contextlib.nullcontext()


def tensors(d2l, arrays, dtype):
    return [d2l.tensor(a, dtype=dtype) for a in arrays]


# ------------------------------------------------ hand-written BPTT vs finite differences
def test_hand_bptt_matches_central_differences():
    params, X, Y, H0 = problem()
    loss, H_T, grads, dH = bptt(params, X, Y, H0)
    numeric = numerical_gradients(lambda *a: bptt(RNNParams(*a[:5]), X, Y, a[5])[0], [*params, H0])
    for name, got, want in zip((*RNNParams._fields, "H0"), (*grads, dH[0]), numeric):
        assert relative_error(got, want) < 1e-6, name
    # dL/dH_t for every t: H_t is scored by target Y[t-1] and feeds the steps t..T-1; the mean is over T steps
    W_hq, b_q = params.W_hq, params.b_q

    def loss_from(Hs, t):
        logits = Hs @ W_hq + b_q
        own = -(logits[np.arange(B), Y[t - 1]] - np.log(np.exp(logits).sum(axis=1))).mean()
        rest = bptt(params, X[t:], Y[t:], Hs)[0] * (T - t) if t < T else 0.0
        return (own + rest) / T

    for t in range(1, T + 1):
        H_t = bptt(params, X[:t], Y[:t], H0)[1]
        (numeric_t,) = numerical_gradients(lambda Hs, t=t: loss_from(Hs, t), [H_t])
        assert relative_error(dH[t], numeric_t) < 1e-6, t
    assert dH.shape == (T + 1, B, h)


def test_full_bptt_matches_central_differences():
    params, X, Y, H0 = problem(num_steps=3)
    X_past = np.random.default_rng(1).integers(0, V, size=(5, B))
    loss, _, grads, dH = bptt_full(params, X_past, X, Y, H0)
    numeric = numerical_gradients(
        lambda *a: bptt_full(RNNParams(*a[:5]), X_past, X, Y, a[5])[0], [*params, H0]
    )
    for name, got, want in zip((*RNNParams._fields, "H0"), (*grads, dH[0]), numeric):
        assert relative_error(got, want) < 1e-6, name
    assert dH.shape == (5 + 3 + 1, B, h)
    # with no history it is plain BPTT
    for a, b in zip(bptt_full(params, X_past[:0], X, Y, H0)[2], bptt(params, X, Y, H0)[2]):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------- every autograd vs the hand-written one
def test_autograd_matches_hand_bptt_in_float64(framework):
    d2l = rnn_guide.get_backend(framework)
    params, X, Y, H0 = problem()
    with float64(d2l):
        errors = autograd_vs_bptt(d2l, params, X, Y, H0)
    assert set(errors) == {"loss", *RNNParams._fields, "H0"}
    assert max(errors.values()) < 1e-10, errors


def test_autograd_matches_hand_bptt_in_float32(backend):
    params, X, Y, H0 = problem(np.float32, seed=3)
    params = RNNParams(*tensors(backend, params, "float32"))  # the backend's own tensors are accepted
    errors = autograd_vs_bptt(backend, params, X, Y, backend.tensor(H0))  # NumPy: central differences
    assert max(errors.values()) < 1e-5, errors


def test_bptt_vs_finite_differences_reports_each_gradient():
    params, X, Y, H0 = problem(seed=8)
    errors = bptt_vs_finite_differences(params, X, Y, H0)
    assert set(errors) == {*RNNParams._fields, "H0"} and max(errors.values()) < 1e-6
    # a step far too large for central differences shows up as a large error: the check is not vacuous
    assert max(bptt_vs_finite_differences(params, X, Y, H0, eps=0.5).values()) > 1e-3


def test_the_training_gradients_are_the_reference_ones(backend):
    """``gradient_fn`` (what ``train`` uses) against the NumPy reference, float32."""
    params, X, Y, _ = problem(np.float32, seed=4)
    H0 = np.zeros((B, h), np.float32)
    loss, H_T, grads = gradient_fn(backend)(
        RNNParams(*tensors(backend, params, "float32")),
        backend.tensor(X),
        backend.tensor(Y),
        backend.tensor(H0),
    )
    ref_loss, ref_H_T, ref_grads, _ = bptt(params, X, Y, H0)
    assert float(backend.numpy(loss)) == pytest.approx(float(ref_loss), rel=1e-6)
    np.testing.assert_allclose(backend.numpy(H_T), ref_H_T, rtol=1e-5, atol=1e-6)
    for a, b in zip(grads, ref_grads):
        assert relative_error(backend.numpy(a), b) < 1e-5


@pytest.mark.parametrize("theta", [0.05, 100.0])
def test_clipped_gradients_match_the_hand_clipped_ones(backend, theta):
    params, X, Y, H0 = problem(seed=5)
    _, _, ref_grads, _ = bptt(params, X, Y, H0)
    ref_norm = math.sqrt(sum(float(np.sum(g**2)) for g in ref_grads))
    ref_clipped = [g * min(1.0, theta / ref_norm) for g in ref_grads]
    with float64(backend):
        P = RNNParams(*tensors(backend, params, "float64"))
        _, _, grads = gradient_fn(backend)(
            P, backend.tensor(X), backend.tensor(Y), backend.tensor(H0, "float64")
        )
        clipped, norm = backend.clip_by_global_norm(list(grads), theta)
        clipped = [backend.numpy(g) for g in clipped]
    assert float(backend.numpy(norm)) == pytest.approx(ref_norm, rel=1e-10)
    for a, b in zip(clipped, ref_clipped):
        assert relative_error(a, b) < 1e-10
    total = math.sqrt(sum(float(np.sum(g**2)) for g in clipped))
    assert total == pytest.approx(min(theta, ref_norm), rel=1e-10)
    assert (theta < ref_norm) == (theta == 0.05)  # one case clips, the other does not


def test_truncated_and_full_bptt_match_the_hand_written_ones(framework):
    """Truncated: no gradient into the carried state. Full: the gradient goes back through batch 1."""
    backend = rnn_guide.get_backend(framework)
    params, X2, Y2, H0 = problem(seed=6)
    X1, Y1 = np.random.default_rng(7).integers(0, V, size=(2, T, B))
    H1 = bptt(params, X1, Y1, H0)[1]  # the state carried from batch 1 into batch 2
    truncated_ref = bptt(params, X2, Y2, H1)[2]  # H1 a constant
    full_ref = bptt_full(params, X1, X2, Y2, H0)[2]
    with float64(backend):
        P = RNNParams(*tensors(backend, params, "float64"))
        X1t, Y1t, X2t, Y2t = (backend.tensor(a) for a in (X1, Y1, X2, Y2))
        H0t = backend.tensor(H0, "float64")

        def second_batch(P, X1, Y1, X2, Y2):  # batch 1 then batch 2, the carried state detached
            _, H1 = loss_and_state(backend, P, X1, Y1, H0t)
            return loss_and_state(backend, P, X2, Y2, backend.stop_gradient(H1))

        truncated = [backend.numpy(g) for g in backend.value_and_grad(second_batch)(P, X1t, Y1t, X2t, Y2t)[2]]
        full = [backend.numpy(g) for g in full_bptt_fn(backend)(P, X1t, X2t, Y2t, H0t)[2]]
    for name, a, b, c, d in zip(RNNParams._fields, truncated, truncated_ref, full, full_ref):
        assert relative_error(a, b) < 1e-10, name
        assert relative_error(c, d) < 1e-10, name
    # the two differ exactly where the history enters: W_xh, W_hh, b_h; the output layer agrees
    assert relative_error(truncated_ref.W_hh, full_ref.W_hh) > 1e-3
    np.testing.assert_allclose(truncated_ref.W_hq, full_ref.W_hq, rtol=1e-12)
