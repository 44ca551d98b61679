"""Every tensor helper on every backend, compared with the NumPy reference."""

import math

import numpy as np
import pytest

import rnn_guide
from rnn_guide.backends.base import Backend

A = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]], dtype=np.float32)
B = np.array([[2.0, 0.0], [1.0, -1.0], [0.5, 3.0]], dtype=np.float32)


def close(d2l, x, expected, tol=1e-6):
    got = d2l.numpy(x)
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


def test_tensor_dtypes(backend):
    assert backend.numpy(backend.tensor([[1.0, 2.0]])).dtype == np.float32
    assert backend.numpy(backend.tensor(np.ones(3, np.float64))).dtype == np.float32
    assert backend.numpy(backend.tensor([1, 2, 3])).dtype.kind == "i"
    assert backend.is_tensor(backend.tensor([1.0]))
    assert not backend.is_tensor([1.0])


def test_creation(backend):
    close(backend, backend.zeros((2, 3)), np.zeros((2, 3)))
    close(backend, backend.ones((4,)), np.ones(4))
    assert backend.numpy(backend.zeros((2, 3))).dtype == np.float32
    with pytest.raises(
        rnn_guide.RNNGuideError, match=r"shape must be a tuple of non-negative ints.*\(2, -1\)"
    ):
        backend.zeros((2, -1))


def test_random_is_seeded_and_same_on_every_backend(backend, ref):
    backend.seed(7)
    x = backend.randn(3, 4)
    y = backend.normal((2, 2), mean=5.0, std=0.1)
    assert backend.shape(x) == (3, 4)
    ref.seed(7)  # ref is backend itself on NumPy: draw from each after its own seed
    close(backend, x, ref.numpy(ref.randn(3, 4)))
    close(backend, y, ref.numpy(ref.normal((2, 2), mean=5.0, std=0.1)))
    backend.seed(7)
    close(backend, backend.randn(3, 4), backend.numpy(x))
    # use() reseeds the one backend object: re-running a notebook's setup cell prints the same
    first = backend.numpy(rnn_guide.use(backend.name).randn(2, 2))
    close(backend, rnn_guide.use(backend.name).randn(2, 2), first)
    with pytest.raises(rnn_guide.RNNGuideError, match="seed must be a non-negative integer, received -1"):
        backend.seed(-1)


def test_a_new_backend_starts_from_seed_0(backend, ref, fresh_backends):
    new = rnn_guide.get_backend(backend.name)
    assert new is not backend
    ref.seed(0)
    close(new, new.randn(2, 3), ref.numpy(ref.randn(2, 3)))


def test_one_backend_object_per_framework(backend):
    assert rnn_guide.get_backend(backend.name) is backend
    assert rnn_guide.get_backend(backend) is backend
    assert rnn_guide.backend_of(backend.zeros((2,))) is backend


def test_get_key_is_reproducible(backend):
    backend.seed(3)
    first = [backend.get_key() for _ in range(2)]
    backend.seed(3)
    second = [backend.get_key() for _ in range(2)]
    if backend.name == "jax":
        import jax

        assert np.array_equal(jax.random.key_data(first[0]), jax.random.key_data(second[0]))
        assert not np.array_equal(jax.random.key_data(first[0]), jax.random.key_data(first[1]))
        a = jax.random.normal(first[1], (3,))
        b = jax.random.normal(second[1], (3,))
        assert np.array_equal(np.asarray(a), np.asarray(b))
    else:
        # whatever the key is, drawing from it after the same seed repeats, and keys differ
        def draw(key):
            if isinstance(key, int):  # MXNet: a seed for its global generator
                return key
            if isinstance(key, np.random.Generator):
                return key.normal(size=3).tolist()
            if backend.name == "pytorch":
                import torch

                return torch.randn(3, generator=key).tolist()
            return key.normal((3,)).numpy().tolist()  # tf.random.Generator

        assert draw(first[0]) == draw(second[0])
        assert draw(first[1]) == draw(second[1])
        assert draw(first[0]) != draw(first[1])


def test_ops_match_numpy(backend):
    a, b = backend.tensor(A), backend.tensor(B)
    close(backend, backend.matmul(a, b), A @ B)
    close(backend, backend.concat((a, a), 0), np.concatenate([A, A], 0))
    close(backend, backend.concat([a, backend.tensor(B.T)], 1), np.concatenate([A, B.T], 1))
    close(backend, backend.stack((a, a), 1), np.stack([A, A], 1))
    close(backend, backend.reshape(a, (3, 2)), A.reshape(3, 2))
    close(backend, backend.tanh(a), np.tanh(A))
    close(backend, backend.relu(a), np.maximum(A, 0))
    close(backend, backend.exp(a), np.exp(A), tol=1e-5)
    close(backend, backend.log(backend.tensor(np.abs(A))), np.log(np.abs(A)))
    e = np.exp(A - A.max(axis=1, keepdims=True))
    close(backend, backend.softmax(a), e / e.sum(axis=1, keepdims=True))
    e0 = np.exp(A - A.max(axis=0, keepdims=True))
    close(backend, backend.softmax(a, axis=0), e0 / e0.sum(axis=0, keepdims=True))
    assert backend.numpy(backend.argmax(a, 1)).tolist() == [2, 1]
    assert backend.numpy(backend.argmax(a, axis=0)).tolist() == [0, 1, 0]
    close(backend, backend.reduce_sum(a), A.sum())
    close(backend, backend.reduce_sum(a, axis=0), A.sum(axis=0))
    close(backend, backend.reduce_sum(a, axis=1, keepdims=True), A.sum(axis=1, keepdims=True))
    assert backend.shape(a) == (2, 3)
    big = np.array([-100.0, -20.0, 0.0, 20.0, 100.0], np.float32)  # no overflow warning, no NaN
    close(backend, backend.sigmoid(backend.tensor(big)), 1.0 / (1.0 + np.exp(-big.astype(np.float64))))
    close(backend, backend.sigmoid(a), 1.0 / (1.0 + np.exp(-A)))
    parts = backend.split(backend.tensor(np.arange(12.0).reshape(2, 6)), 3)
    assert len(parts) == 3
    for part, want in zip(parts, np.split(np.arange(12.0).reshape(2, 6), 3, axis=-1)):
        close(backend, part, want)


def test_scan_is_the_loop_it_documents(backend):
    """``scan(fn, carry, xs)`` = for each t: carry, y_t = fn(carry, x_t); a tuple carry and tuple xs."""
    d2l = backend
    xs = np.arange(12.0, dtype=np.float32).reshape(4, 3)
    ws = np.ones((4, 3), np.float32) * np.array([[1.0], [2.0], [3.0], [4.0]], np.float32)

    def step(carry, x_t):
        total, count = carry
        x, w = x_t
        total = total + x * w
        return (total, count + 1.0), total * 2.0

    (total, count), ys = d2l.scan(step, (d2l.zeros((3,)), d2l.zeros((3,))), (d2l.tensor(xs), d2l.tensor(ws)))
    running = np.cumsum(xs * ws, axis=0)
    close(d2l, total, running[-1])
    close(d2l, count, np.full(3, 4.0))
    close(d2l, ys, 2.0 * running)
    carry, ys = d2l.scan(lambda c, x: (c + x, c), d2l.zeros((3,)), d2l.tensor(xs))  # one tensor
    close(d2l, carry, xs.sum(0))
    close(d2l, ys, np.concatenate([np.zeros((1, 3)), np.cumsum(xs, 0)[:-1]]))


def test_norm_has_item_on_every_backend(backend):
    n = backend.norm(backend.tensor(A))
    value = n.item()
    assert isinstance(value, float)
    assert value == pytest.approx(float(np.linalg.norm(A)), rel=1e-6)


@pytest.mark.parametrize("as_tensor", [False, True], ids=["float", "tensor"])
@pytest.mark.parametrize("theta", [0.5, 100.0, math.inf])
def test_clip_by_global_norm_matches_numpy(backend, theta, as_tensor):
    """Clipping under ``jit`` with ``theta`` a traced argument: below and above the norm, inf, zeros."""
    clip = backend.jit(lambda grads, theta: backend.clip_by_global_norm(grads, theta))
    limit = backend.tensor(np.float32(theta)) if as_tensor else theta
    norm = math.sqrt(float((A.astype(np.float64) ** 2).sum() + (B.astype(np.float64) ** 2).sum()))
    scale = min(1.0, theta / norm)  # 6.91: theta 0.5 clips, 100 and inf do not
    clipped, got_norm = clip([backend.tensor(A), backend.tensor(B)], limit)
    close(backend, got_norm, np.float32(norm), tol=1e-6)
    close(backend, clipped[0], A * scale, tol=1e-6)
    close(backend, clipped[1], B * scale, tol=1e-6)
    zeros, zero_norm = clip([backend.zeros((2, 3)), backend.zeros((3,))], limit)
    close(backend, zero_norm, np.float32(0.0))
    close(backend, zeros[0], np.zeros((2, 3)))  # no NaN from 0/0 or inf/inf
    close(backend, zeros[1], np.zeros(3))


def test_compiled_is_built_once_per_key(backend):
    built = []

    def build():
        built.append(len(built))
        return lambda x: x * 2

    key, other = object(), object()  # fresh keys: the backend object is shared by every test
    double = backend.compiled(key, build)
    assert backend.compiled(key, build) is double
    assert built == [0]
    close(backend, double(backend.tensor(A)), 2 * A)
    assert backend.compiled(other, build) is not double
    assert built == [0, 1]


def test_same_method_names_and_signatures_on_every_backend(backend):
    import inspect

    names = [
        "randn",
        "normal",
        "zeros",
        "ones",
        "tensor",
        "numpy",
        "matmul",
        "concat",
        "stack",
        "reshape",
        "tanh",
        "relu",
        "softmax",
        "argmax",
        "reduce_sum",
        "norm",
        "get_key",
        "seed",
        "log_softmax",
        "clip_by_global_norm",
        "compiled",
    ]
    for name in names:
        mine = inspect.signature(getattr(backend, name))
        reference = inspect.signature(getattr(Backend, name).__get__(backend))
        assert mine == reference, f"{backend.name}.{name}{mine} differs from Backend.{name}{reference}"


def test_value_and_grad_of_parameters_used_many_times(framework):
    """Gradients when each parameter is used repeatedly, as the RNN does at every time step.

    The bias is added on both sides, to matrices with different row counts, to a vector and to a
    scalar; the weight is multiplied at two batch sizes. Adapters that reuse derived arrays or
    reroute ``x + b`` (MXNet does both) must still give the plain sum of every use's gradient.
    """
    d2l = rnn_guide.get_backend(framework)
    W = np.array([[0.5, -1.0], [2.0, 0.25]], dtype=np.float32)
    b = np.array([0.3, -0.7], dtype=np.float32)
    X1 = np.arange(6, dtype=np.float32).reshape(3, 2) / 4
    X2 = -np.arange(10, dtype=np.float32).reshape(5, 2) / 3

    def f(params, X1, X2):
        W, b = params
        assert rnn_guide.backend_of(W, b) is d2l  # parameters are recognised inside the gradient call
        first = d2l.tanh(d2l.matmul(X1, W) + b)  # (3, 2) + bias
        second = b + d2l.matmul(X2, W)  # bias on the left, 5 rows
        again = d2l.matmul(first, W) + b  # the same rows count as `first`
        vector = b + b + 1.0  # 1-D and scalar adds take the ordinary path
        total = d2l.reduce_sum(again * again) + d2l.reduce_sum(second) * 0.5 + d2l.reduce_sum(vector * vector)
        return total, first

    params = (d2l.tensor(W), d2l.tensor(b))
    loss, first, (gW, gb) = d2l.value_and_grad(f)(params, d2l.tensor(X1), d2l.tensor(X2))

    # The same function and its gradient by hand, in NumPy.
    A1 = X1 @ W + b
    F1 = np.tanh(A1)
    again = F1 @ W + b
    vector = 2 * b + 1.0
    expected_loss = (again**2).sum() + 0.5 * (X2 @ W + b).sum() + (vector**2).sum()
    d_again = 2 * again
    d_F1 = d_again @ W.T
    d_A1 = d_F1 * (1 - F1**2)
    expected_gW = F1.T @ d_again + X1.T @ d_A1 + 0.5 * X2.T @ np.ones((5, 2), np.float32)
    expected_gb = d_again.sum(0) + d_A1.sum(0) + 0.5 * 5 + 4 * vector
    close(d2l, loss, expected_loss, tol=1e-4)
    close(d2l, first, F1, tol=1e-5)
    close(d2l, gW, expected_gW, tol=1e-4)
    close(d2l, gb, expected_gb, tol=1e-4)
