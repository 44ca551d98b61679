"""MXNet adapter (mxnet 1.9.1, the last release; needs numpy < 1.24).

MXNet is used through its NumPy interface, ``mxnet.np``, which only behaves
like NumPy after ``npx.set_np()``: the adapter calls it when created.
Parameters inside :meth:`MXNetBackend.value_and_grad` are
:class:`~rnn_guide.backends.mxnet_leaf.Leaf` arrays, a speed-up explained there.
"""

import mxnet as mx
from mxnet import autograd, npx
from mxnet import np as mnp

from .base import Backend, rebuild
from .mxnet_leaf import as_leaf, transposed


class MXNetBackend(Backend):
    name = "mxnet"
    module_name = "mxnet"
    xp = mnp
    _nn = npx

    def __init__(self):
        npx.set_np()  # MXNet's NumPy semantics (a process-wide switch in MXNet itself)
        super().__init__()

    def _from_numpy(self, array):
        return mnp.array(array, dtype=array.dtype)

    def _to_numpy(self, x):
        return x.asnumpy()

    # MXNet has only a global generator: the "key" is a seed for mx.random.seed.
    def _make_key(self, seed):
        return seed

    def _seed_global(self, n):
        mx.random.seed(n)

    # mxnet.np's own tanh and matmul are slow in the 1.9.1 wheel (tanh is a scalar libm loop, 485 us
    # for a 1024 x 32 batch; matmul goes to OpenBLAS's SSE3 kernels). The legacy Activation and
    # FullyConnected operators run on MKL-DNN: 26 us and 32 us instead of 485 us and 70 us (the book's
    # output layer: 0.53 ms instead of 1.96 ms). Measured on a 2-core Xeon.
    def tanh(self, x):
        return npx.activation(x, act_type="tanh")

    def sigmoid(self, x):
        return npx.activation(x, act_type="sigmoid")

    def matmul(self, a, b):
        if a.ndim == 2 and b.ndim == 2:  # FullyConnected computes a @ weight.T
            return npx.fully_connected(a, transposed(b), num_hidden=b.shape[1], no_bias=True)
        return a @ b

    # MXNet's split kernel (_split_v2) is slow for small arrays (0.9 ms to cut a 1024 x 64 gate
    # product), and slices cost 0.05 ms each; one split over time, though, replaces T slices whose
    # gradients are each added into a zero array of x's whole shape. GRU training step at the book's
    # settings: 359 ms with the defaults, 247 ms with both (measured, 2-core Xeon).
    def split(self, x, sections, axis=-1):
        size = x.shape[axis] // sections
        if axis in (-1, x.ndim - 1):
            return [x[..., i * size : (i + 1) * size] for i in range(sections)]
        return super().split(x, sections, axis)

    def _unstack(self, x):
        return [mnp.squeeze(part, axis=0) for part in mnp.split(x, x.shape[0], axis=0)]

    # mxnet arrays have .detach(), not a stop_gradient function.
    def stop_gradient(self, x):
        return x.detach()

    def _value_and_grad(self, fn):
        def wrapped(params, *args):
            leaves = [as_leaf(p) for p in params]
            with autograd.record():
                loss, aux = fn(rebuild(params, leaves), *args)
            loss.backward()
            return loss.detach(), aux, rebuild(params, [leaf.grad for leaf in leaves])

        return wrapped
