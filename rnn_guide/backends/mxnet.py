"""MXNet adapter (mxnet 1.9.1, the last release; needs numpy < 1.24).

MXNet is used through its NumPy interface, ``mxnet.np``, which only behaves
like NumPy after ``npx.set_np()``: the adapter calls it when created.
"""

import mxnet as mx
from mxnet import autograd, npx
from mxnet import np as mnp

from .base import Backend, leaves, rebuild


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

    # mxnet.np's own tanh and 2-D matmul are slow in the 1.9.1 wheel (a scalar loop for tanh,
    # OpenBLAS's SSE3 kernels for matmul); the legacy Activation and FullyConnected operators run on
    # MKL-DNN (benchmarks/README.md has the figures). Those two operators, given an array with no
    # entries, leave MXNet's engine broken ("Check failed: delay_alloc" at the next operator and at
    # exit), so an empty array takes mxnet.np's path: a batch of 0 rows gives an empty result, as
    # in the other frameworks.
    def tanh(self, x):
        return npx.activation(x, act_type="tanh") if x.size else mnp.tanh(x)

    def sigmoid(self, x):
        return npx.activation(x, act_type="sigmoid") if x.size else super().sigmoid(x)

    def matmul(self, a, b):
        if a.ndim == 2 and b.ndim == 2 and a.size and b.size:  # FullyConnected computes a @ weight.T
            return npx.fully_connected(a, b.T, num_hidden=b.shape[1], no_bias=True)
        return a @ b

    # MXNet's split kernel (_split_v2) is slow for small arrays, and each slice of a sequence gets a
    # gradient the size of the whole sequence: the gates are cut by slicing, a sequence by one split.
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
            # Fresh leaves each call: the caller's arrays are never modified.
            tensors = [p.detach() for p in leaves(params)]
            for leaf in tensors:
                leaf.attach_grad()
            with autograd.record():
                loss, aux = fn(rebuild(params, tensors), *args)
            loss.backward()
            return loss.detach(), aux, rebuild(params, [leaf.grad for leaf in tensors])

        return wrapped
