"""A faster parameter for MXNet's autograd: arrays derived from it are computed once per gradient call.

The model uses each parameter at every time step, and each use would otherwise repeat the same
operator (``W_hh.T`` for FullyConnected, the bias spread over the batch's rows): 64 operators
fewer per batch at the book's settings, each with its autograd bookkeeping: a training step
55-63 ms -> 46-52 ms. A leaf lives for one call, so what it remembers goes with it.

It also gives ``x + b`` a fast gradient for a bias ``b``. The backward of ``mxnet.np``'s
broadcasting add sums the gradient over rows with a slow generic kernel: 14 ms for the output
bias (32,768 rows x 28) and 0.4 ms for each of the 32 ``+ b_h`` of a batch, 37% of an MXNet
training step at the book's settings. ``x + ones((n, 1)) @ b[None, :]`` has the same value, and
its gradient for ``b`` is a matrix product. Python tries the right operand's ``__radd__`` first
when its class is a subclass of the left operand's, so the model's ``+ b_h`` and ``+ b_q`` reach
this method unchanged; anything else falls back to the ordinary add. A training step: 64-91 ms
-> 55-63 ms.

Together: a training step 64-91 ms -> 46-52 ms, and the benchmark's ratio to gluon's built-in RNN
from 0.33x to 0.55x. (Fastest of six passes over nine batches, three interleaved rounds, on a
2-core Xeon shared with other work: ``python -m benchmarks.step_time mxnet``.)
"""

from mxnet import np as mnp


def as_leaf(param):
    """A fresh copy of ``param`` that records its gradient and remembers arrays derived from it."""
    leaf = param.detach()
    leaf.attach_grad()
    # MXNet has no constructor for a subclass of its arrays, so the fresh copy's class is set here.
    leaf.__class__ = Leaf
    return leaf


def transposed(b):
    """``b.T``, computed once per gradient call when ``b`` is a leaf."""
    return b.derived("T", lambda: b.T) if isinstance(b, Leaf) else b.T


class Leaf(mnp.ndarray):
    """A parameter inside ``value_and_grad`` (see the module docstring)."""

    def derived(self, key, compute):
        cache = self.__dict__.setdefault("_derived", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def __add__(self, other):
        if (
            isinstance(other, mnp.ndarray)
            and other.ndim == 2
            and self.ndim == 1
            and other.shape[1] == self.shape[0]
            and other.dtype == self.dtype
        ):
            n = other.shape[0]
            rows = self.derived(("rows", n), lambda: mnp.ones((n, 1), dtype=self.dtype) @ self.reshape(1, -1))
            return other + rows
        return mnp.ndarray.__add__(self, other)

    __radd__ = __add__
