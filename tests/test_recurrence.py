"""The guide's equations on every backend, against plain NumPy and across backends."""

import numpy as np
import pytest

import rnn_guide

T, N, D, H_SIZE, Q = 5, 3, 4, 6, 2


@pytest.fixture
def X_seq():
    """An input sequence, (num_steps, batch_size, num_inputs), float32; a fresh array for each test."""
    return np.random.default_rng(42).normal(size=(T, N, D)).astype(np.float32)


def numpy_loop(X, H0, W_xh, W_hh, b_h):
    """The recurrence as the textbook writes it, in float64."""
    H = H0.astype(np.float64)
    states = []
    for X_t in X:
        H = np.tanh(X_t @ W_xh + H @ W_hh + b_h)
        states.append(H)
    return np.stack(states), H


def test_init_params_identical_on_every_backend(backend, ref):
    p = rnn_guide.init_params(D, H_SIZE, Q, backend, seed=3)
    r = rnn_guide.init_params(D, H_SIZE, Q, ref, seed=3)
    assert p._fields == ("W_xh", "W_hh", "b_h", "W_hq", "b_q")
    for name, got, expected in zip(p._fields, p, r):
        assert backend.numpy(got).dtype == np.float32, name
        np.testing.assert_array_equal(backend.numpy(got), expected, err_msg=name)
    assert backend.shape(p.W_xh) == (D, H_SIZE) and backend.shape(p.b_q) == (Q,)
    # a different seed gives different weights
    other = rnn_guide.init_params(D, H_SIZE, Q, backend, seed=4)
    assert not np.array_equal(backend.numpy(other.W_xh), backend.numpy(p.W_xh))


def test_init_params_rejects_bad_sizes():
    with pytest.raises(rnn_guide.RNNGuideError, match="num_hiddens must be a positive integer, received 0"):
        rnn_guide.init_params(3, 0, 3, "numpy")


def test_mlp_hidden_and_output_layer(backend, X_seq):
    p = rnn_guide.init_params(D, H_SIZE, Q, backend, seed=1, sigma=0.5)
    X = backend.tensor(X_seq[0])
    Hn = rnn_guide.mlp_hidden(X, p.W_xh, p.b_h)
    W_xh, W_hq = backend.numpy(p.W_xh), backend.numpy(p.W_hq)
    expected = np.tanh(X_seq[0] @ W_xh)
    np.testing.assert_allclose(backend.numpy(Hn), expected, atol=1e-6)
    relu_H = rnn_guide.mlp_hidden(X, p.W_xh, p.b_h, phi=backend.relu)
    np.testing.assert_allclose(backend.numpy(relu_H), np.maximum(X_seq[0] @ W_xh, 0), atol=1e-6)
    O = rnn_guide.output_layer(Hn, p.W_hq, p.b_q)
    np.testing.assert_allclose(backend.numpy(O), expected @ W_hq, atol=1e-6)


def test_rnn_step_and_forward_match_numpy_loop(backend, X_seq):
    p = rnn_guide.init_params(D, H_SIZE, Q, backend, seed=2, sigma=0.5)
    W_xh, W_hh, b_h = (backend.numpy(t).astype(np.float64) for t in p[:3])
    H0 = np.random.default_rng(43).normal(size=(N, H_SIZE)).astype(np.float32)
    H_all, H_T = rnn_guide.rnn_forward(backend.tensor(X_seq), backend.tensor(H0), *p[:3])
    exp_all, exp_T = numpy_loop(X_seq, H0, W_xh, W_hh, b_h)
    assert backend.shape(H_all) == (T, N, H_SIZE)
    np.testing.assert_allclose(backend.numpy(H_all), exp_all, atol=1e-5)
    np.testing.assert_allclose(backend.numpy(H_T), exp_T, atol=1e-5)
    H_1 = rnn_guide.rnn_step(backend.tensor(X_seq[0]), backend.tensor(H0), *p[:3])
    np.testing.assert_allclose(backend.numpy(H_1), exp_all[0], atol=1e-5)
    # H0=None means zeros
    H_all0, _ = rnn_guide.rnn_forward(backend.tensor(X_seq), None, *p[:3])
    zeros_all, _ = numpy_loop(X_seq, np.zeros((N, H_SIZE)), W_xh, W_hh, b_h)
    np.testing.assert_allclose(backend.numpy(H_all0), zeros_all, atol=1e-5)


def test_outputs_agree_across_backends(backend, ref, X_seq):
    outs = []
    for d2l in (backend, ref):
        p = rnn_guide.init_params(D, H_SIZE, Q, d2l, seed=5, sigma=0.5)
        H_all, _ = rnn_guide.rnn_forward(d2l.tensor(X_seq), None, *p[:3])
        O = rnn_guide.output_layer(d2l.reshape(H_all, (T * N, H_SIZE)), p.W_hq, p.b_q)
        outs.append(d2l.numpy(d2l.softmax(O)))
    np.testing.assert_allclose(outs[0], outs[1], atol=1e-5)


def test_state_carries_history(backend, X_seq):
    """The same input at the last step gives different states for different histories."""
    p = rnn_guide.init_params(D, H_SIZE, Q, backend, seed=0, sigma=0.5)
    other = X_seq.copy()
    other[0] += 1.0  # change only the first step
    _, a = rnn_guide.rnn_forward(backend.tensor(X_seq), None, *p[:3])
    _, b = rnn_guide.rnn_forward(backend.tensor(other), None, *p[:3])
    assert np.max(np.abs(backend.numpy(a) - backend.numpy(b))) > 1e-4


@pytest.mark.parametrize("n, d, h", [(3, 1, 4), (16, 28, 32), (64, 100, 256)])
def test_concat_check_passes(backend, n, d, h):
    backend.seed(0)
    X, W_xh = backend.randn(n, d), backend.randn(d, h)
    H, W_hh = backend.randn(n, h), backend.randn(h, h)
    result = rnn_guide.concat_check(X, H, W_xh, W_hh)
    assert result.passed, result
    assert result.max_abs_diff <= result.tolerance
    assert result.separate.shape == result.concatenated.shape == (n, h)
    np.testing.assert_allclose(result.separate, result.concatenated, rtol=1e-4, atol=1e-4)
    assert repr(result).startswith("ConcatCheck(passed=True, max_abs_diff=")


def test_concat_check_tolerance_scales_where_a_fixed_threshold_fails(ref):
    """Rounding alone breaks the fixed ``norm < 1e-6`` test at larger sizes; ours still passes."""
    fixed_failures = 0
    for seed in range(20):
        ref.seed(seed)
        X, W_xh, H, W_hh = ref.randn(16, 28), ref.randn(28, 32), ref.randn(16, 32), ref.randn(32, 32)
        result = rnn_guide.concat_check(X, H, W_xh, W_hh)
        assert result.passed
        fixed_failures += float(np.linalg.norm(result.separate - result.concatenated)) >= 1e-6
        assert result.tolerance > 10 * np.finfo(np.float32).eps  # scaled, not fixed
    assert fixed_failures > 0


def test_shape_errors_name_the_shapes(backend, X_seq):
    p = rnn_guide.init_params(D, H_SIZE, Q, backend)
    X_bad = backend.tensor(np.ones((N, D + 1), np.float32))
    H = backend.zeros((N, H_SIZE))
    with pytest.raises(rnn_guide.ShapeError, match=r"rnn_step: W_xh has shape \(4, 6\), expected \(5, 6\)"):
        rnn_guide.rnn_step(X_bad, H, *p[:3])
    with pytest.raises(rnn_guide.ShapeError, match=r"H_prev has shape \(2, 6\), expected \(3, 6\)"):
        rnn_guide.rnn_step(backend.tensor(X_seq[0]), backend.zeros((2, H_SIZE)), *p[:3])
    with pytest.raises(
        rnn_guide.ShapeError,
        match=r"X must have shape \(num_steps, batch_size, num_inputs\), received shape \(3, 4\)",
    ):
        rnn_guide.rnn_forward(backend.tensor(X_seq[0]), None, *p[:3])
    with pytest.raises(rnn_guide.ShapeError, match=r"b_h has shape \(2,\), expected \(6,\) or \(1, 6\)"):
        rnn_guide.mlp_hidden(backend.tensor(X_seq[0]), p.W_xh, backend.zeros((2,)))
    with pytest.raises(rnn_guide.ShapeError, match=r"concat_check: H has shape \(3, 5\), expected \(3, 6\)"):
        rnn_guide.concat_check(backend.tensor(X_seq[0]), backend.zeros((N, 5)), p.W_xh, p.W_hh)
    with pytest.raises(ValueError):  # the package error is a ValueError
        rnn_guide.mlp_hidden(backend.tensor(X_seq), p.W_xh, p.b_h)


def test_mixed_frameworks_are_rejected(framework, ref, X_seq):
    p = rnn_guide.init_params(D, H_SIZE, Q, framework)
    with pytest.raises(rnn_guide.RNNGuideError, match="different frameworks cannot be mixed"):
        rnn_guide.rnn_step(ref.tensor(X_seq[0]), ref.zeros((N, H_SIZE)), *p[:3])
