"""Checks of the table rows about the recurrence and the book's concatenation check.

Each check takes a ``Ctx`` (see ``d2l_checks_ops``) and asserts what its cell says.
"""

import contextlib
import io
import warnings

import numpy as np
import pytest

import rnn_guide

from .d2l_book_code import CHECK, DRAWS
from .d2l_checks_ops import assert_same, framework_seed


def check_rnn_scratch(ctx):
    """d2l's RNNScratch and rnn_guide's rnn_forward give the same states on the same parameters."""
    ours, d2l = ctx.ours, ctx.d2l
    num_inputs, num_hiddens = 5, 4
    W_xh, W_hh, b_h, _, _ = (ours.numpy(p) for p in rnn_guide.init_params(5, 4, 3, ours, sigma=0.5))
    b_h = b_h + 0.1  # a bias that is not zero
    X = np.random.default_rng(2).normal(size=(3, 2, num_inputs)).astype(np.float32)  # (steps, batch, inputs)
    H_all, H_T = rnn_guide.rnn_forward(ours.tensor(X), None, *(ours.tensor(p) for p in (W_xh, W_hh, b_h)))
    rnn = d2l.RNNScratch(num_inputs, num_hiddens)
    if ctx.fw == "jax":  # a flax module: the parameters are passed in
        params = {"W_xh": W_xh, "W_hh": W_hh, "b_h": b_h}
        outputs, state = rnn.apply({"params": params}, ours.tensor(X))
    else:
        if ctx.fw == "pytorch":
            import torch

            with torch.no_grad():
                for name, value in (("W_xh", W_xh), ("W_hh", W_hh), ("b_h", b_h)):
                    getattr(rnn, name).copy_(torch.tensor(value))
        elif ctx.fw == "tensorflow":
            for name, value in (("W_xh", W_xh), ("W_hh", W_hh), ("b_h", b_h)):
                getattr(rnn, name).assign(value)
        else:
            rnn.W_xh, rnn.W_hh, rnn.b_h = (ours.tensor(p) for p in (W_xh, W_hh, b_h))
        outputs, state = rnn(ours.tensor(X))
    assert len(outputs) == X.shape[0]
    assert_same(ours, ours.stack(list(outputs), 0), H_all)
    assert_same(ours, state, H_T)


def _run(code, **names):
    """Run ``code`` with ``names`` defined; return what it printed and its namespace."""
    out = io.StringIO()
    namespace = dict(names)
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<book code>", "exec"), namespace)
    return out.getvalue(), namespace


def _book_code(fw, d2l):
    return f"from d2l import {d2l.__name__.split('.')[-1]} as d2l\n" + DRAWS[fw]


def check_book_check(ctx):
    framework_seed(ctx.fw, 0)
    with pytest.raises(AttributeError, match="norm"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # d2l.get_key's float bound (JAX)
        _run(_book_code(ctx.fw, ctx.d2l) + CHECK)


#: the framework's own norm: as the table shows it, as code after DRAWS[fw], and to a Python number
FRAMEWORK_NORM = {
    "pytorch": ("torch.norm", "torch.norm", ".item()"),
    "tensorflow": ("tf.norm", "tf.norm", ".numpy()"),
    "jax": ("jnp.linalg.norm", "jax.numpy.linalg.norm", ".item()"),
    "mxnet": ("np.linalg.norm", "np.linalg.norm", ".item()"),
}


def _with_framework_norm(ctx):
    """The book's code with d2l.norm replaced by the framework's own norm, compiled."""
    _, norm, to_number = FRAMEWORK_NORM[ctx.fw]
    check = CHECK.replace("d2l.norm(", norm + "(").replace(".item()", to_number)
    return compile(_book_code(ctx.fw, ctx.d2l) + check, "<book code>", "exec")


def _both(ctx, code, seed):
    """Run the book's code through d2l, then rnn_guide's line on the same inputs.

    Returns what each printed and their namespaces.
    """
    framework_seed(ctx.fw, seed)
    theirs = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # d2l.get_key's float bound (JAX)
        exec(code, theirs)
    inputs = {k: ctx.ours.tensor(ctx.ours.numpy(theirs[k])) for k in ("X", "H", "W_xh", "W_hh")}
    printed, mine = _run(CHECK, d2l=ctx.ours, **inputs)
    return out.getvalue(), printed, theirs, mine


def check_concat_check(ctx):
    shown, _, to_number = FRAMEWORK_NORM[ctx.fw]
    assert f"with `{shown}" in ctx.cell
    assert ("`.item()`" in ctx.cell) == (to_number != ".item()")
    code = _with_framework_norm(ctx)
    printouts = []
    for seed in range(10):
        printed_by_d2l, printed_by_ours, theirs, mine = _both(ctx, code, seed)
        printouts.append(printed_by_d2l)
        for name in ("result1", "result2"):
            assert_same(ctx.ours, theirs[name], mine[name])
        # The printouts agree unless the norm is within rounding of 1e-6 (see the threshold row):
        # rnn_guide's kernels may round otherwise (MXNet), and both sides are rounding noise.
        diff = np.linalg.norm(ctx.ours.numpy(theirs["result1"]) - ctx.ours.numpy(theirs["result2"]))
        assert printed_by_d2l == printed_by_ours or 0.5e-6 < diff < 2e-6, seed
    assert printouts.count("True\n") >= 8, printouts  # True for most draws
    if ctx.fw == "tensorflow":
        with pytest.raises(AttributeError, match="item"):
            theirs["result1"].item()


def check_concat_threshold(ctx):
    """Some draws print False through d2l from rounding alone; concat_check passes them."""
    code = _with_framework_norm(ctx)
    for seed in range(2000):
        printed_by_d2l, _, theirs, _ = _both(ctx, code, seed)
        if printed_by_d2l == "False\n":
            break
    else:
        pytest.fail("the book's check printed True for 2,000 draws in a row")
    inputs = (ctx.ours.tensor(ctx.ours.numpy(theirs[k])) for k in ("X", "H", "W_xh", "W_hh"))
    result = rnn_guide.concat_check(*inputs)
    assert result.passed, result


CHECKS = {
    "rnn_scratch": check_rnn_scratch,
    "book_check": check_book_check,
    "concat_check": check_concat_check,
    "concat_threshold": check_concat_threshold,
}
