"""Gradients through time: hand-written BPTT against finite differences, every autograd against it,
clipping and truncation, and the vanishing/exploding experiments on every backend.

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
from rnn_guide import gradients as G
from rnn_guide.data import TimeMachine
from rnn_guide.language_model import loss_and_state, value_and_grad_fn
from rnn_guide.recurrence import RNNParams

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
    loss, H_T, grads, dH = G.bptt(params, X, Y, H0)
    numeric = G.numerical_gradients(lambda *a: G.bptt(RNNParams(*a[:5]), X, Y, a[5])[0], [*params, H0])
    for name, got, want in zip((*RNNParams._fields, "H0"), (*grads, dH[0]), numeric):
        assert G.relative_error(got, want) < 1e-6, name
    # dL/dH_t for every t: H_t is scored by target Y[t-1] and feeds the steps t..T-1; the mean is over T steps
    W_hq, b_q = params.W_hq, params.b_q

    def loss_from(Hs, t):
        logits = Hs @ W_hq + b_q
        own = -(logits[np.arange(B), Y[t - 1]] - np.log(np.exp(logits).sum(axis=1))).mean()
        rest = G.bptt(params, X[t:], Y[t:], Hs)[0] * (T - t) if t < T else 0.0
        return (own + rest) / T

    for t in range(1, T + 1):
        H_t = G.bptt(params, X[:t], Y[:t], H0)[1]
        (numeric_t,) = G.numerical_gradients(lambda Hs, t=t: loss_from(Hs, t), [H_t])
        assert G.relative_error(dH[t], numeric_t) < 1e-6, t
    assert dH.shape == (T + 1, B, h)


def test_full_bptt_matches_central_differences():
    params, X, Y, H0 = problem(num_steps=3)
    X_past = np.random.default_rng(1).integers(0, V, size=(5, B))
    loss, _, grads, dH = G.bptt_full(params, X_past, X, Y, H0)
    numeric = G.numerical_gradients(
        lambda *a: G.bptt_full(RNNParams(*a[:5]), X_past, X, Y, a[5])[0], [*params, H0]
    )
    for name, got, want in zip((*RNNParams._fields, "H0"), (*grads, dH[0]), numeric):
        assert G.relative_error(got, want) < 1e-6, name
    assert dH.shape == (5 + 3 + 1, B, h)
    # with no history it is plain BPTT
    for a, b in zip(G.bptt_full(params, X_past[:0], X, Y, H0)[2], G.bptt(params, X, Y, H0)[2]):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------- every autograd vs the hand-written one
def test_autograd_matches_hand_bptt_in_float64(framework):
    d2l = rnn_guide.get_backend(framework)
    params, X, Y, H0 = problem()
    with float64(d2l):
        errors = G.autograd_vs_bptt(d2l, params, X, Y, H0)
    assert set(errors) == {"loss", *RNNParams._fields, "H0"}
    assert max(errors.values()) < 1e-10, errors


def test_autograd_matches_hand_bptt_in_float32(backend):
    params, X, Y, H0 = problem(np.float32, seed=3)
    params = RNNParams(*tensors(backend, params, "float32"))  # the backend's own tensors are accepted
    errors = G.autograd_vs_bptt(backend, params, X, Y, backend.tensor(H0))  # NumPy: central differences
    assert max(errors.values()) < 1e-5, errors


def test_bptt_vs_finite_differences_reports_each_gradient():
    params, X, Y, H0 = problem(seed=8)
    errors = G.bptt_vs_finite_differences(params, X, Y, H0)
    assert set(errors) == {*RNNParams._fields, "H0"} and max(errors.values()) < 1e-6
    # a step far too large for central differences shows up as a large error: the check is not vacuous
    assert max(G.bptt_vs_finite_differences(params, X, Y, H0, eps=0.5).values()) > 1e-3


def test_the_training_gradients_are_the_reference_ones(backend):
    """``value_and_grad_fn`` (what ``train`` uses) against the NumPy reference, float32."""
    params, X, Y, _ = problem(np.float32, seed=4)
    H0 = np.zeros((B, h), np.float32)
    loss, H_T, grads = value_and_grad_fn(backend)(
        RNNParams(*tensors(backend, params, "float32")),
        backend.tensor(X),
        backend.tensor(Y),
        backend.tensor(H0),
    )
    ref_loss, ref_H_T, ref_grads, _ = G.bptt(params, X, Y, H0)
    assert float(backend.numpy(loss)) == pytest.approx(float(ref_loss), rel=1e-6)
    np.testing.assert_allclose(backend.numpy(H_T), ref_H_T, rtol=1e-5, atol=1e-6)
    for a, b in zip(grads, ref_grads):
        assert G.relative_error(backend.numpy(a), b) < 1e-5


@pytest.mark.parametrize("theta", [0.05, 100.0])
def test_clipped_gradients_match_the_hand_clipped_ones(backend, theta):
    params, X, Y, H0 = problem(seed=5)
    _, _, ref_grads, _ = G.bptt(params, X, Y, H0)
    ref_norm = math.sqrt(sum(float(np.sum(g**2)) for g in ref_grads))
    ref_clipped = [g * min(1.0, theta / ref_norm) for g in ref_grads]
    with float64(backend):
        P = RNNParams(*tensors(backend, params, "float64"))
        _, _, grads = value_and_grad_fn(backend)(
            P, backend.tensor(X), backend.tensor(Y), backend.tensor(H0, "float64")
        )
        clipped, norm = backend.clip_by_global_norm(list(grads), theta)
        clipped = [backend.numpy(g) for g in clipped]
    assert float(backend.numpy(norm)) == pytest.approx(ref_norm, rel=1e-10)
    for a, b in zip(clipped, ref_clipped):
        assert G.relative_error(a, b) < 1e-10
    total = math.sqrt(sum(float(np.sum(g**2)) for g in clipped))
    assert total == pytest.approx(min(theta, ref_norm), rel=1e-10)
    assert (theta < ref_norm) == (theta == 0.05)  # one case clips, the other does not


def test_truncated_and_full_bptt_match_the_hand_written_ones(framework):
    """Truncated: no gradient into the carried state. Full: the gradient goes back through batch 1."""
    backend = rnn_guide.get_backend(framework)
    params, X2, Y2, H0 = problem(seed=6)
    X1, Y1 = np.random.default_rng(7).integers(0, V, size=(2, T, B))
    H1 = G.bptt(params, X1, Y1, H0)[1]  # the state carried from batch 1 into batch 2
    truncated_ref = G.bptt(params, X2, Y2, H1)[2]  # H1 a constant
    full_ref = G.bptt_full(params, X1, X2, Y2, H0)[2]
    with float64(backend):
        P = RNNParams(*tensors(backend, params, "float64"))
        X1t, Y1t, X2t, Y2t = (backend.tensor(a) for a in (X1, Y1, X2, Y2))
        H0t = backend.tensor(H0, "float64")

        def second_batch(P, X1, Y1, X2, Y2):  # batch 1 then batch 2, the carried state detached
            _, H1 = loss_and_state(backend, P, X1, Y1, H0t)
            return loss_and_state(backend, P, X2, Y2, backend.stop_gradient(H1))

        truncated = [backend.numpy(g) for g in backend.value_and_grad(second_batch)(P, X1t, Y1t, X2t, Y2t)[2]]
        full = [backend.numpy(g) for g in G.full_bptt_fn(backend)(P, X1t, X2t, Y2t, H0t)[2]]
    for name, a, b, c, d in zip(RNNParams._fields, truncated, truncated_ref, full, full_ref):
        assert G.relative_error(a, b) < 1e-10, name
        assert G.relative_error(c, d) < 1e-10, name
    # the two differ exactly where the history enters: W_xh, W_hh, b_h; the output layer agrees
    assert G.relative_error(truncated_ref.W_hh, full_ref.W_hh) > 1e-3
    np.testing.assert_allclose(truncated_ref.W_hq, full_ref.W_hq, rtol=1e-12)


# ------------------------------------------------------------ vanishing and exploding
def test_recurrent_weights_have_the_requested_spectral_radius():
    for radius in (0.5, 1.0, 1.7):
        W = G.recurrent_weights(16, radius, seed=2)
        assert W.dtype == np.float32 and W.shape == (16, 16)
        assert np.max(np.abs(np.linalg.eigvals(W.astype(np.float64)))) == pytest.approx(radius, rel=1e-5)


def test_state_jacobians_agree_with_the_reference(backend, ref):
    W = G.recurrent_weights(6, 1.1, seed=1)
    A = np.random.default_rng(2).normal(0.0, 0.8, size=(7, 6)).astype(np.float32)
    J, J_ref = G.state_jacobians(backend, W, A), G.state_jacobians(ref, W, A)
    assert J.shape == (8, 6, 6)
    np.testing.assert_allclose(J, J_ref, rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(J_ref[-1], np.eye(6))


def test_state_jacobians_match_central_differences(ref):
    """The hand-multiplied Jacobians against finite differences of H_T (float64)."""
    W = G.recurrent_weights(4, 1.3, seed=3).astype(np.float64)
    A = np.random.default_rng(4).normal(0.0, 1.0, size=(5, 4))
    J = G.state_jacobians(ref, W, A)

    def last_state(H_t, t):
        for s in range(t, 5):
            H_t = np.tanh(A[s] + H_t @ W)
        return H_t

    H = [np.zeros(4)]
    for s in range(5):
        H.append(np.tanh(A[s] + H[-1] @ W))
    for t in (0, 2, 4):
        for i in range(4):
            (row,) = G.numerical_gradients(lambda x, t=t, i=i: last_state(x, t)[i], [H[t]])
            np.testing.assert_allclose(J[t][i], row, rtol=1e-6, atol=1e-9)


def test_gradient_norms_are_the_same_on_every_backend(backend, ref):
    for radius, scale in [(0.8, 0.0), (1.2, 0.5), (1.5, 3.0)]:
        norms = G.gradient_norms(backend, 30, radius, num_hiddens=16, input_scale=scale)
        expected = G.gradient_norms(ref, 30, radius, num_hiddens=16, input_scale=scale)
        assert norms.shape == (31,) and norms[0] == pytest.approx(1.0, rel=1e-6)
        np.testing.assert_allclose(norms, expected, rtol=1e-4)


def test_gradients_vanish_below_radius_one_and_explode_above(backend):
    norms = {r: G.gradient_norms(backend, 50, r) for r in (0.8, 1.0, 1.2)}
    assert norms[0.8][50] < 1e-3 < 1e3 < norms[1.2][50]
    assert 0.1 < norms[1.0][50] < 10
    # in the linear regime (input_scale 0) the Jacobian is exactly (W_hh^T)^k
    W = G.recurrent_weights(32, 1.2).astype(np.float64)
    closed_form = [np.linalg.norm(np.linalg.matrix_power(W.T, k), 2) for k in (1, 10, 50)]
    np.testing.assert_allclose(norms[1.2][[1, 10, 50]], closed_form, rtol=1e-4)
    # a saturated tanh (strong inputs) makes even radius 1.5 vanish
    assert (
        G.gradient_norms(backend, 50, 1.5, input_scale=3.0)[50]
        < 1e-6
        < 1e6
        < G.gradient_norms(backend, 50, 1.5)[50]
    )


def test_an_overflowing_product_reads_inf(backend):
    norms = G.gradient_norms(backend, 100, 3.0, num_hiddens=8)  # 3^100 is far beyond float32
    assert np.isfinite(norms[10]) and norms[10] > 1e3 and norms[100] == math.inf


# ----------------------------------------------------------------- the experiments
@pytest.fixture(scope="module")
def tiny():
    return TimeMachine(batch_size=64, num_steps=16, num_train=512, num_val=256)


def test_clipping_keeps_a_large_learning_rate_stable(backend, ref, tiny):
    without, clipped = G.clipping_experiment(backend, tiny, lr=10.0, clip=0.1, epochs=2)
    assert without.clip is None and clipped.clip == 0.1 and without.label == "no clipping"
    assert without.diverged and without.final_perplexity > len(tiny.vocab)
    assert not clipped.diverged and clipped.final_perplexity < 20
    expected = G.clipping_experiment(ref, tiny, lr=10.0, clip=0.1, epochs=2)[1]
    np.testing.assert_allclose(clipped.history.val_perplexity, expected.history.val_perplexity, rtol=1e-4)


def test_clipping_experiment_reports_a_nan_or_inf_stop(ref, tiny):
    with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the point
        without, _ = G.clipping_experiment(ref, tiny, lr=1e38, clip=0.1, epochs=2)
    assert without.stopped_in_epoch == 1 and without.diverged and without.final_perplexity == math.inf
    assert "in epoch 1" in without.message and "clipping" in without.message


def test_truncated_and_full_bptt_train_alike_on_every_backend(backend, ref):
    data = TimeMachine(batch_size=8, num_steps=8, num_train=256, num_val=128)  # 4 batches per epoch
    results = G.truncation_experiment(backend, data, epochs=2)
    expected = G.truncation_experiment(ref, data, epochs=2)
    assert set(results) == {"truncated", "full"}
    for mode, run in results.items():
        history = run.history
        assert run.mode == mode and history.epochs == 2 and len(history.seconds) == 2
        assert history.val_perplexity[-1] < history.val_perplexity[0] < len(data.vocab)
        np.testing.assert_allclose(history.val_perplexity, expected[mode].history.val_perplexity, rtol=1e-4)
    assert results["truncated"].history.train_perplexity != results["full"].history.train_perplexity
    # the work: K batches of num_steps steps each; full BPTT sends batch k back through k batches
    K = results["truncated"].batches[0]
    assert K == len(list(data.train_batches(np.random.default_rng(0), "sequential")))
    assert results["truncated"].backprop_steps[0] == 8 * K
    assert results["full"].backprop_steps[0] == 8 * K * (K + 1) // 2


# ------------------------------------------------------------------- bad input
@pytest.mark.parametrize("num_steps", [0, -3, 2.5, "10", True, None])
def test_gradient_norms_rejects_a_bad_length(num_steps):
    with pytest.raises(
        rnn_guide.RNNGuideError, match=rf"num_steps must be a positive integer, received {num_steps!r}"
    ):
        G.gradient_norms("numpy", num_steps, 1.0)


@pytest.mark.parametrize("radius", [-1.0, 0, float("nan"), float("inf"), "big", None])
def test_gradient_norms_rejects_a_bad_radius(radius):
    with pytest.raises(
        rnn_guide.RNNGuideError, match=r"radius must be a positive finite number .*received"
    ) as info:
        G.gradient_norms("numpy", 10, radius)
    assert repr(radius) in str(info.value) and "spectral radius of W_hh" in str(info.value)


def test_experiments_reject_bad_settings(tiny):
    cases = [
        (
            lambda: G.gradient_norms("numpy", 10, 1.0, input_scale=-1),
            "input_scale must be a number >= 0, received -1",
        ),
        (
            lambda: G.gradient_norms("numpy", 10, 1.0, num_hiddens=0),
            "num_hiddens must be a positive integer, received 0",
        ),
        (
            lambda: G.clipping_experiment("numpy", tiny, lr=0),
            "lr must be a positive finite number .*received 0",
        ),
        (
            lambda: G.clipping_experiment("numpy", tiny, clip=-1),
            "clip must be a positive finite number .*received -1",
        ),
        (
            lambda: G.clipping_experiment("numpy", tiny, epochs=0),
            "epochs must be a positive integer, received 0",
        ),
        (
            lambda: G.truncation_experiment("numpy", tiny, epochs=1.5),
            "epochs must be a positive integer, received 1.5",
        ),
        (
            lambda: G.truncation_experiment("numpy", tiny, lr=float("nan")),
            "lr must be a positive finite number",
        ),
    ]
    for call, message in cases:
        with pytest.raises(rnn_guide.RNNGuideError, match=message):
            call()
