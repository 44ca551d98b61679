"""The experiments of notebook 6 on every backend: vanishing and exploding gradients, clipping in
training, truncated against full BPTT in training, and their argument errors.

The Jacobian check against central differences (float64, eps = 1e-6) asserts rtol 1e-6; backends are
compared with the NumPy reference in float32, to rtol 1e-4.
"""

import math

import numpy as np
import pytest

import rnn_guide
from rnn_guide.bptt import numerical_gradients
from rnn_guide.data import TimeMachine
from rnn_guide.gradients import (
    clipping_experiment,
    gradient_norms,
    init_model,
    recurrent_weights,
    state_jacobians,
    truncation_experiment,
    window_gradient_norms,
)
from rnn_guide.training import TrainingDivergedError


# ------------------------------------------------------------ vanishing and exploding
def test_recurrent_weights_have_the_requested_spectral_radius():
    for radius in (0.5, 1.0, 1.7):
        W = recurrent_weights(16, radius, seed=2)
        assert W.dtype == np.float32 and W.shape == (16, 16)
        assert np.max(np.abs(np.linalg.eigvals(W.astype(np.float64)))) == pytest.approx(radius, rel=1e-5)


def test_state_jacobians_agree_with_the_reference(backend, ref):
    W = recurrent_weights(6, 1.1, seed=1)
    A = np.random.default_rng(2).normal(0.0, 0.8, size=(7, 6)).astype(np.float32)
    J, J_ref = state_jacobians(backend, W, A), state_jacobians(ref, W, A)
    assert J.shape == (8, 6, 6)
    np.testing.assert_allclose(J, J_ref, rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(J_ref[-1], np.eye(6))


def test_state_jacobians_match_central_differences(ref):
    """The hand-multiplied Jacobians against finite differences of H_T (float64)."""
    W = recurrent_weights(4, 1.3, seed=3).astype(np.float64)
    A = np.random.default_rng(4).normal(0.0, 1.0, size=(5, 4))
    J = state_jacobians(ref, W, A)

    def last_state(H_t, t):
        for s in range(t, 5):
            H_t = np.tanh(A[s] + H_t @ W)
        return H_t

    H = [np.zeros(4)]
    for s in range(5):
        H.append(np.tanh(A[s] + H[-1] @ W))
    for t in (0, 2, 4):
        for i in range(4):
            (row,) = numerical_gradients(lambda x, t=t, i=i: last_state(x, t)[i], [H[t]])
            np.testing.assert_allclose(J[t][i], row, rtol=1e-6, atol=1e-9)


def test_gradient_norms_are_the_same_on_every_backend(backend, ref):
    for radius, scale in [(0.8, 0.0), (1.2, 0.5), (1.5, 3.0)]:
        norms = gradient_norms(backend, 30, radius, num_hiddens=16, input_scale=scale)
        expected = gradient_norms(ref, 30, radius, num_hiddens=16, input_scale=scale)
        assert norms.shape == (31,) and norms[0] == pytest.approx(1.0, rel=1e-6)
        np.testing.assert_allclose(norms, expected, rtol=1e-4)


def test_gradients_vanish_below_radius_one_and_explode_above(backend):
    norms = {r: gradient_norms(backend, 50, r) for r in (0.8, 1.0, 1.2)}
    assert norms[0.8][50] < 1e-3 < 1e3 < norms[1.2][50]
    assert 0.1 < norms[1.0][50] < 10
    # in the linear regime (input_scale 0) the Jacobian is exactly (W_hh^T)^k
    W = recurrent_weights(32, 1.2).astype(np.float64)
    closed_form = [np.linalg.norm(np.linalg.matrix_power(W.T, k), 2) for k in (1, 10, 50)]
    np.testing.assert_allclose(norms[1.2][[1, 10, 50]], closed_form, rtol=1e-4)
    # a saturated tanh (strong inputs) makes even radius 1.5 vanish
    assert (
        gradient_norms(backend, 50, 1.5, input_scale=3.0)[50]
        < 1e-6
        < 1e6
        < gradient_norms(backend, 50, 1.5)[50]
    )


def test_an_overflowing_product_reads_inf(backend):
    norms = gradient_norms(backend, 100, 3.0, num_hiddens=8)  # 3^100 is far beyond float32
    assert np.isfinite(norms[10]) and norms[10] > 1e3 and norms[100] == math.inf


# ------------------------------------------------------------ the initial W_hh
@pytest.fixture(scope="module")
def vocab():
    return TimeMachine(batch_size=8, num_steps=8, num_train=64, num_val=8).vocab


def test_init_model_changes_only_W_hh(backend, ref, vocab):
    default = rnn_guide.RNNLM(vocab, 16, ref, seed=3)
    for init in ("default", "orthogonal", "identity"):
        model = init_model(backend, vocab, init, num_hiddens=16, seed=3)
        params = [backend.numpy(p) for p in model.params]
        assert params[1].dtype == np.float32 and params[1].shape == (16, 16)
        for name, value, expected in zip(model.params._fields, params, default.params):
            if name != "W_hh" or init == "default":
                np.testing.assert_array_equal(value, expected)  # the same numbers on every backend
        W = params[1].astype(np.float64)
        if init == "orthogonal":
            np.testing.assert_allclose(W @ W.T, np.eye(16), atol=1e-6)
            np.testing.assert_array_equal(
                W, backend.numpy(init_model(ref, vocab, init, 16, seed=3).params.W_hh)
            )
        if init == "identity":
            np.testing.assert_array_equal(W, np.eye(16))
    # the default start's spectral radius is close to sigma * sqrt(h), far below 1
    rho = np.max(np.abs(np.linalg.eigvals(default.params.W_hh.astype(np.float64))))
    assert 0.5 * 0.01 * 4 < rho < 2 * 0.01 * 4


def test_window_gradient_norms_by_start(backend, ref, vocab):
    text = "the time traveller for so it will be "[:24]
    norms = {}
    for init in ("default", "orthogonal", "identity"):
        norms[init] = window_gradient_norms(init_model(backend, vocab, init, 16), text)
        expected = window_gradient_norms(init_model(ref, vocab, init, 16), text)
        assert norms[init].shape == (25,) and norms[init][0] == pytest.approx(1.0, rel=1e-6)
        np.testing.assert_allclose(norms[init], expected, rtol=1e-4)
    assert norms["default"][8] < 1e-8  # radius about 0.04: 0.04^8 is about 1e-11
    assert 0.9 < norms["orthogonal"][16] <= 1.0 + 1e-5  # small inputs: tanh nearly linear
    assert 0.95 < norms["identity"][16] <= 1.0 + 1e-5


def test_init_model_and_window_norms_reject_bad_input(vocab):
    with pytest.raises(rnn_guide.RNNGuideError, match="init must be one of 'default', 'orthogonal'"):
        init_model("numpy", vocab, "xavier")
    with pytest.raises(rnn_guide.RNNGuideError, match="num_hiddens must be a positive integer"):
        init_model("numpy", vocab, "orthogonal", num_hiddens=0)
    model = init_model("numpy", vocab, "orthogonal", 8)
    for text in ("", None, ["t", "h"]):
        with pytest.raises(rnn_guide.RNNGuideError, match="text must be a non-empty str"):
            window_gradient_norms(model, text)


# ----------------------------------------------------------------- the experiments
@pytest.fixture(scope="module")
def tiny():
    return TimeMachine(batch_size=64, num_steps=16, num_train=512, num_val=256)


def test_clipping_keeps_a_large_learning_rate_stable(backend, ref, tiny):
    without, clipped = clipping_experiment(backend, tiny, lr=10.0, clip=0.1, epochs=2)
    assert without.clip is None and clipped.clip == 0.1 and without.label == "no clipping"
    assert without.diverged and without.final_perplexity > len(tiny.vocab)
    assert not clipped.diverged and clipped.final_perplexity < 20
    expected = clipping_experiment(ref, tiny, lr=10.0, clip=0.1, epochs=2)[1]
    np.testing.assert_allclose(clipped.history.val_perplexity, expected.history.val_perplexity, rtol=1e-4)


def test_clipping_experiment_reports_a_nan_or_inf_stop(ref, tiny):
    # steps of at most lr * clip = 1 with clipping; without it, the first steps overflow
    without, clipped = clipping_experiment(ref, tiny, lr=1e6, clip=1e-6, epochs=2)
    assert without.stopped_in_epoch == 1 and without.diverged and without.final_perplexity == math.inf
    assert "in epoch 1" in without.message and "clipping" in without.message
    assert clipped.stopped_in_epoch is None and not clipped.diverged


def test_experiments_at_an_absurd_learning_rate_raise_training_diverged(backend, tiny):
    """Every loop has train's divergence guard: the package's error, never an OverflowError."""
    stream = TimeMachine(batch_size=8, num_steps=8, num_train=256, num_val=128)  # sequential batches
    with pytest.raises(TrainingDivergedError, match="in epoch 1"):
        truncation_experiment(backend, stream, epochs=1, lr=1e30, clip=None)
    with pytest.raises(TrainingDivergedError, match="in epoch 1"):  # even the clipped run diverges
        clipping_experiment(backend, tiny, lr=1e38, clip=0.1, epochs=1)


def test_truncated_and_full_bptt_train_alike_on_every_backend(backend, ref):
    data = TimeMachine(batch_size=8, num_steps=8, num_train=256, num_val=128)  # 4 batches per epoch
    results = truncation_experiment(backend, data, epochs=2)
    expected = truncation_experiment(ref, data, epochs=2)
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
        gradient_norms("numpy", num_steps, 1.0)


@pytest.mark.parametrize("radius", [-1.0, 0, float("nan"), float("inf"), "big", None])
def test_gradient_norms_rejects_a_bad_radius(radius):
    with pytest.raises(
        rnn_guide.RNNGuideError, match=r"radius must be a positive finite number .*received"
    ) as info:
        gradient_norms("numpy", 10, radius)
    assert repr(radius) in str(info.value) and "spectral radius of W_hh" in str(info.value)


def test_experiments_reject_bad_settings(tiny):
    cases = [
        (
            lambda: gradient_norms("numpy", 10, 1.0, input_scale=-1),
            "input_scale must be a finite number >= 0, received -1",
        ),
        (
            lambda: gradient_norms("numpy", 10, 1.0, num_hiddens=0),
            "num_hiddens must be a positive integer, received 0",
        ),
        (
            lambda: clipping_experiment("numpy", tiny, lr=0),
            "lr must be a positive finite number .*received 0",
        ),
        (
            lambda: clipping_experiment("numpy", tiny, clip=-1),
            "clip must be a positive finite number .*received -1",
        ),
        (
            lambda: clipping_experiment("numpy", tiny, epochs=0),
            "epochs must be a positive integer, received 0",
        ),
        (
            lambda: truncation_experiment("numpy", tiny, epochs=1.5),
            "epochs must be a positive integer, received 1.5",
        ),
        (
            lambda: truncation_experiment("numpy", tiny, lr=float("nan")),
            "lr must be a positive finite number",
        ),
    ]
    for call, message in cases:
        with pytest.raises(rnn_guide.RNNGuideError, match=message):
            call()
