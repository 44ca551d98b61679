"""PyTorch adapter."""

import numpy as np
import torch

from .base import Backend, leaves, rebuild


class PyTorchBackend(Backend):
    name = "pytorch"
    module_name = "torch"
    xp = torch
    _nn = torch  # torch.relu, torch.softmax(x, axis=...), torch.log_softmax

    # jit is the base identity: PyTorch runs the step eagerly (torch.compile took 30 s to compile it
    # on a 2-core CPU, more than the whole run).

    def __init__(self):
        self._device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        super().__init__()

    @property
    def device(self):
        return str(self._device)

    def _from_numpy(self, array):
        # np.require keeps a 0-d array 0-d (np.ascontiguousarray would make it 1-d)
        return torch.as_tensor(np.require(array, requirements="C"), device=self._device)

    def _to_numpy(self, x):
        return x.detach().cpu().numpy()

    def _make_key(self, seed):
        return torch.Generator(device=self._device).manual_seed(seed)

    def _seed_global(self, n):
        torch.manual_seed(n)

    # The intra-op (OpenMP) thread count, which PyTorch can change while it runs. On a GPU the steps
    # run there, and the CPU's threads are left alone.
    def _get_threads(self):
        return torch.get_num_threads() if self._device.type == "cpu" else None

    def _set_threads(self, n):
        torch.set_num_threads(n)

    def _use_threads(self, n):  # the CPU's threads, also where the steps run on a GPU
        torch.set_num_threads(n)
        return True

    # torch has no take(axis=...). index_select is the direct row gather, about twice as fast
    # forward and backward as W[indices] (advanced indexing).
    def take_rows(self, W, indices):
        return torch.index_select(W, 0, indices) if indices.dim() == 1 else W[indices]

    # x[t] has a gradient that fills a zero tensor of x's whole shape, for every t; unbind's
    # gradient is one stack.
    def _unstack(self, x):
        return list(torch.unbind(x, 0))

    # torch.split takes the size of each part, NumPy's split the number of parts: chunk is NumPy's.
    def split(self, x, sections, axis=-1):
        return list(torch.chunk(x, sections, dim=axis))

    # torch tensors have .detach(), not a stop_gradient function.
    def stop_gradient(self, x):
        return x.detach()

    def _value_and_grad(self, fn):
        def wrapped(params, *args):
            # Fresh leaves each call: the caller's tensors are never modified.
            tensors = [p.detach().requires_grad_(True) for p in leaves(params)]
            loss, aux = fn(rebuild(params, tensors), *args)
            grads = torch.autograd.grad(loss, tensors, allow_unused=True)
            # An unused parameter gets None from torch; every other framework gives zeros.
            grads = [torch.zeros_like(p) if g is None else g for p, g in zip(tensors, grads)]
            return loss.detach(), aux, rebuild(params, grads)

        return wrapped
