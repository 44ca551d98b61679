"""Checks of the table rows about d2l's tensor helpers, and what every check uses.

Each check takes a :class:`Ctx` (the framework, the real d2l module, rnn_guide's
backend, the cell's text and pytest's ``request``) and asserts what the cell says.
"""

import random
from typing import NamedTuple

import numpy as np
import pytest

from .d2l_subprocess import python
from .d2l_table import SAME


class Ctx(NamedTuple):
    fw: str
    d2l: object  # the real d2l module, e.g. d2l.torch
    ours: object  # rnn_guide's backend for the same framework
    cell: str
    request: object


def assert_same(ours, got, expected):
    """The same dtype, shape and values (``got`` from d2l, ``expected`` from rnn_guide).

    Integers must be equal. Floats may differ by a few float32 roundings, since an
    adapter may use another kernel than d2l's alias (rnn_guide's MXNet matmul and tanh
    run on MKL-DNN, d2l's on ``mxnet.np``); a wrong op, axis or dtype is far outside that.
    """
    got, expected = ours.numpy(got), ours.numpy(expected)
    assert (got.dtype, got.shape) == (expected.dtype, expected.shape)
    if expected.dtype.kind != "f":
        np.testing.assert_array_equal(got, expected)
        return
    scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
    np.testing.assert_allclose(got, expected, rtol=0, atol=8 * np.finfo(expected.dtype).eps * scale)


def _inputs(ours):
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    return {
        "A": ours.tensor(A),
        "A2": ours.tensor(rng.normal(size=(3, 4))),
        "C": ours.tensor(rng.normal(size=(3, 2))),
        "B": ours.tensor(B),
        "P": ours.tensor(np.abs(A) + 0.1),
    }


#: name -> how to call it; the same call is made on d2l and on rnn_guide
RECIPES = {
    "matmul": lambda d, x: [d.matmul(x["A"], x["B"])],
    "concat": lambda d, x: [d.concat((x["A"], x["A2"]), 0), d.concat((x["A"], x["C"]), 1)],
    "stack": lambda d, x: [d.stack((x["A"], x["A2"]), 0), d.stack((x["A"], x["A2"]), 1)],
    "reshape": lambda d, x: [d.reshape(x["A"], (4, 3)), d.reshape(x["A"], (12,))],
    "tanh": lambda d, x: [d.tanh(x["A"])],
    "sigmoid": lambda d, x: [d.sigmoid(x["A"])],
    "exp": lambda d, x: [d.exp(x["A"])],
    "log": lambda d, x: [d.log(x["P"])],
    "zeros": lambda d, x: [d.zeros((2, 3))],
    "ones": lambda d, x: [d.ones((2, 3))],
    "tensor": lambda d, x: [d.tensor([[1.5, -2.0], [0.25, 3.0]])],
    "numpy": lambda d, x: [d.numpy(x["A"])],
    "reduce_sum": lambda d, x: [d.reduce_sum(x["A"]), d.reduce_sum(x["A"], axis=0)],
    "argmax": lambda d, x: [d.argmax(x["A"], axis=1), d.argmax(x["A"], axis=0)],
}


def check_same(ctx, name):
    """d2l's ``name`` and rnn_guide's give the same results on the same inputs."""
    if name == "float32":
        assert ctx.d2l.float32 == ctx.ours.float32
        return
    x = _inputs(ctx.ours)
    for got, expected in zip(RECIPES[name](ctx.d2l, x), RECIPES[name](ctx.ours, x)):
        assert_same(ctx.ours, got, expected)


def framework_seed(fw, n):
    """Seed the framework's global generator, the one d2l draws from."""
    random.seed(n)
    if fw == "pytorch":
        import torch

        torch.manual_seed(n)
    elif fw == "tensorflow":
        import tensorflow as tf

        tf.random.set_seed(n)
    elif fw == "mxnet":
        import mxnet as mx

        mx.random.seed(n)


def check_randn(ctx):
    # d2l's randn is the framework's own, on its global generator: seeding that repeats it.
    framework_randn = {"pytorch": "torch", "mxnet": "np.random"}[ctx.fw]
    assert f"`{framework_randn}.randn`" in ctx.cell
    framework_seed(ctx.fw, 0)
    first = ctx.ours.numpy(ctx.d2l.randn(3, 4))
    framework_seed(ctx.fw, 0)
    np.testing.assert_array_equal(ctx.ours.numpy(ctx.d2l.randn(3, 4)), first)
    ctx.ours.seed(0)  # rnn_guide's generator is another one: a seed there does not give d2l's draws
    ours = ctx.ours.numpy(ctx.ours.randn(3, 4))
    assert (first.shape, first.dtype) == (ours.shape, ours.dtype) == ((3, 4), np.float32)
    assert not np.allclose(first, ours)


def check_normal(ctx):
    d2l, ours = ctx.d2l, ctx.ours
    if ctx.fw == "tensorflow":  # normal(shape, mean, stddev)
        got = d2l.normal((3, 4), 5.0, 0.0)
    else:  # normal(mean, std, size) in PyTorch, normal(loc, scale, size) in MXNet
        got = d2l.normal(5.0, 0.0, (3, 4))
        if ctx.fw == "pytorch":
            error = TypeError
        else:
            from mxnet.base import MXNetError as error
        with pytest.raises(error):  # rnn_guide's call, normal(shape), fails
            ours.numpy(d2l.normal((3, 4)))
        assert f"raises {error.__name__}" in ctx.cell
    assert_same(ours, got, ours.normal((3, 4), mean=5.0, std=0.0))


def check_get_key(ctx):
    import jax

    d2l = ctx.d2l
    assert "random.randint(0, 1e6)" in ctx.cell
    with pytest.warns(DeprecationWarning, match="non-integer"):
        random.seed(0)  # the only way to repeat d2l's keys: Python's global random
        first = d2l.get_key()
        random.seed(0)
        again = d2l.get_key()
        other = d2l.get_key()
    np.testing.assert_array_equal(jax.random.key_data(again), jax.random.key_data(first))
    assert not np.array_equal(jax.random.key_data(other), jax.random.key_data(first))
    ctx.ours.seed(0)
    mine = ctx.ours.get_key()
    ctx.ours.seed(0)
    np.testing.assert_array_equal(jax.random.key_data(ctx.ours.get_key()), jax.random.key_data(mine))
    # importing d2l.jax calls get_key (a default argument): where the float bound fails, so does the import
    code = (
        "import warnings\n"
        "warnings.filterwarnings('error', message='non-integer arguments to randrange')\n"
        "try:\n    from d2l import jax\n    print('imported')\n"
        "except (DeprecationWarning, TypeError) as err:\n    print(type(err).__name__)"
    )
    assert python(code) == ["DeprecationWarning"]


def _dtype_of(ctx, x):
    return ctx.ours.numpy(x).dtype.name


def check_tensor_ints(ctx):
    got, expected = ctx.d2l.tensor([1, 2, 3]), ctx.ours.tensor([1, 2, 3])
    np.testing.assert_array_equal(ctx.ours.numpy(got), [1, 2, 3])
    want = _dtype_of(ctx, expected) if ctx.cell == SAME else ctx.cell
    assert _dtype_of(ctx, got) == want
    assert _dtype_of(ctx, expected) == ("int32" if ctx.fw == "jax" else "int64")


def check_tensor_float64(ctx):
    data = np.array([0.5, 1.5])
    got, expected = ctx.d2l.tensor(data), ctx.ours.tensor(data)
    np.testing.assert_array_equal(ctx.ours.numpy(got), data)
    assert _dtype_of(ctx, expected) == "float32"
    assert _dtype_of(ctx, got) == ("float32" if ctx.cell == SAME else ctx.cell.split()[-1])


def check_argmax_default(ctx):
    a = np.random.default_rng(1).normal(size=(3, 4)).astype(np.float32)
    x = ctx.ours.tensor(a)
    got = ctx.ours.numpy(ctx.d2l.argmax(x))
    expected = {"axis 0": np.argmax(a, axis=0)}.get(ctx.cell, np.argmax(a))  # else: flattened
    assert ctx.cell == "axis 0" or "flattened" in ctx.cell
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(ctx.ours.numpy(ctx.ours.argmax(x)), np.argmax(a, axis=-1))


CHECKS = {
    "randn": check_randn,
    "normal": check_normal,
    "get_key": check_get_key,
    "tensor_ints": check_tensor_ints,
    "tensor_float64": check_tensor_float64,
    "argmax_default": check_argmax_default,
}
