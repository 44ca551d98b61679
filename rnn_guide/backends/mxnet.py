"""MXNet adapter (mxnet 1.9.1, the last release; needs numpy < 1.24).

MXNet is used through its NumPy interface, ``mxnet.np``, which only behaves
like NumPy after ``npx.set_np()``: the adapter calls it when created.
"""

import mxnet as mx
from mxnet import autograd, npx
from mxnet import np as mnp

from .base import Backend, keep_freed_memory, rebuild


class MXNetBackend(Backend):
    name = "mxnet"
    module_name = "mxnet"
    extra = "mxnet"
    xp = mnp

    def __init__(self, seed=0):
        npx.set_np()  # MXNet's NumPy semantics (a process-wide switch in MXNet itself)
        # MXNet's CPU storage is malloc'd: keeping freed memory takes an epoch from 581-599 ms to
        # 520-539 ms (interleaved runs at the book's settings, 2-core Xeon).
        keep_freed_memory()
        super().__init__(seed)

    def _from_numpy(self, array):
        return mnp.array(array, dtype=array.dtype)

    def _to_numpy(self, x):
        return x.asnumpy()

    def is_tensor(self, x):
        return isinstance(x, mx.nd.NDArray)  # also mxnet.np arrays and _Leaf below

    def _make_key(self, seed):
        # MXNet has only a global generator: the "key" is a seed for mx.random.seed.
        return seed

    def _seed_framework(self, n):
        mx.random.seed(n)

    # mxnet.np's own tanh and matmul are slow in the 1.9.1 wheel (tanh is a scalar libm loop, 485 us
    # for a 1024 x 32 batch; matmul goes to OpenBLAS's SSE3 kernels). The legacy Activation and
    # FullyConnected operators run on MKL-DNN: 26 us and 32 us instead of 485 us and 70 us (the book's
    # output layer: 0.53 ms instead of 1.96 ms). Measured on a 2-core Xeon.
    def tanh(self, x):
        return npx.activation(x, act_type="tanh")

    def matmul(self, a, b):
        if a.ndim == 2 and b.ndim == 2:  # FullyConnected computes a @ weight.T
            weight = b.derived("T", lambda: b.T) if isinstance(b, _Leaf) else b.T
            return npx.fully_connected(a, weight, num_hidden=b.shape[1], no_bias=True)
        return a @ b

    def relu(self, x):
        return npx.relu(x)

    def softmax(self, x, axis=-1):
        return npx.softmax(x, axis=axis)

    def log_softmax(self, x, axis=-1):
        return npx.log_softmax(x, axis=axis)

    def stop_gradient(self, x):
        return x.detach()

    def value_and_grad(self, fn):
        def wrapped(params, *args):
            leaves = [p.detach() for p in params]
            for leaf in leaves:
                leaf.attach_grad()
                # Each leaf is made a _Leaf (derived arrays once per call, a faster `x + b`). MXNet has
                # no constructor for a subclass of its arrays, so the fresh copy's class is set here.
                leaf.__class__ = _Leaf
            with autograd.record():
                loss, aux = fn(rebuild(params, leaves), *args)
            loss.backward()
            return loss.detach(), aux, rebuild(params, [leaf.grad for leaf in leaves])

        return wrapped


class _Leaf(mnp.ndarray):
    """A parameter inside ``value_and_grad``: arrays derived from it are computed once per call.

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

    (Fastest of six passes over nine batches, three interleaved rounds, on a 2-core Xeon shared with
    other work: ``python -m benchmarks.step_time mxnet``.)
    """

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
