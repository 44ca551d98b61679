"""The book's concatenation check (section "Recurrent Neural Networks"), as code to run.

``DRAWS[fw]`` draws X, H, W_xh and W_hh the way the book does in framework ``fw``; ``CHECK``
is the book's check on them. Both expect a name ``d2l`` already bound: the real d2l 1.0.3
(``from d2l import torch as d2l``, in ``d2l_checks_recurrence``) or rnn_guide's backend
(``d2l = rnn_guide.use(fw)``, in ``tests/test_guide_code.py``).
"""

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
