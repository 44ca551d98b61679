"""The guide's d2l-style concatenation check runs unchanged but for one line.

The book's code is ``from d2l import <fw> as d2l``; here that line becomes
``d2l = rnn_guide.use(framework)`` and nothing else changes. (With the real
d2l 1.0.3 the last line fails in every framework: ``d2l.norm`` does not exist.)
"""

import contextlib
import io

DRAWS = {
    "pytorch": """
import torch
X, W_xh = d2l.randn(3, 1), d2l.randn(1, 4)
H, W_hh = d2l.randn(3, 4), d2l.randn(4, 4)
""",
    "mxnet": """
from mxnet import np, npx
X, W_xh = d2l.randn(3, 1), d2l.randn(1, 4)
H, W_hh = d2l.randn(3, 4), d2l.randn(4, 4)
""",
    "tensorflow": """
import tensorflow as tf
X, W_xh = d2l.normal((3, 1)), d2l.normal((1, 4))
H, W_hh = d2l.normal((3, 4)), d2l.normal((4, 4))
""",
    "jax": """
import jax
X, W_xh = jax.random.normal(d2l.get_key(), (3, 1)), jax.random.normal(d2l.get_key(), (1, 4))
H, W_hh = jax.random.normal(d2l.get_key(), (3, 4)), jax.random.normal(d2l.get_key(), (4, 4))
""",
}

CHECK = (
    "result1 = d2l.matmul(X, W_xh) + d2l.matmul(H, W_hh)\n"
    "result2 = d2l.matmul(d2l.concat((X, H), 1), d2l.concat((W_xh, W_hh), 0))\n"
    "print(d2l.norm(result1 - result2).item() < 1e-6)\n"
)


def run_guide_code(name):
    code = f"import rnn_guide\nd2l = rnn_guide.use({name!r})\n" + DRAWS[name] + CHECK
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"<guide code, {name}>", "exec"), {})
    return out.getvalue()


def test_guide_code_prints_true(framework):
    first = run_guide_code(framework)
    assert first == "True\n"
    assert run_guide_code(framework) == first  # seeded: the same every run
