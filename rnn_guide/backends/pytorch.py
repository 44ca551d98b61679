"""PyTorch adapter."""

import numpy as np
import torch

from .base import Backend, keep_freed_memory, rebuild


class PyTorchBackend(Backend):
    name = "pytorch"
    module_name = "torch"
    extra = "pytorch"
    xp = torch
    _tensor_modules = ("torch",)

    def __init__(self, seed=0):
        self._device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        # CPU tensors come from malloc: keeping freed memory cuts the step's page faults threefold
        # and an epoch from 145-154 ms to 121-137 ms (interleaved runs; torch.nn.RNN does not gain).
        keep_freed_memory()
        super().__init__(seed)

    @property
    def device(self):
        return str(self._device)

    def _from_numpy(self, array):
        return torch.as_tensor(np.ascontiguousarray(array), device=self._device)

    def _to_numpy(self, x):
        return x.detach().cpu().numpy()

    def _make_key(self, seed):
        return torch.Generator(device=self._device).manual_seed(seed)

    def _seed_framework(self, n):
        torch.manual_seed(n)

    # torch.maximum needs two tensors; torch.relu is the direct op.
    def relu(self, x):
        return torch.relu(x)

    # torch.max(x, dim) returns (values, indices); the fused op avoids it.
    def softmax(self, x, axis=-1):
        return torch.softmax(x, dim=axis)

    def log_softmax(self, x, axis=-1):
        return torch.log_softmax(x, dim=axis)

    # torch has no take(axis=...). index_select is the direct row gather: forward and backward of the
    # 32 lookups per batch take 43 us against 90 us for W[indices] (advanced indexing), about 10% of
    # a training step at the book's settings (measured, 2-core Xeon).
    def take_rows(self, W, indices):
        return torch.index_select(W, 0, indices) if indices.dim() == 1 else W[indices]

    def _at_least(self, x, value):
        return torch.clamp(x, min=value)

    def stop_gradient(self, x):
        return x.detach()

    def value_and_grad(self, fn):
        def wrapped(params, *args):
            # Fresh leaves each call: the caller's tensors are never modified.
            leaves = [p.detach().requires_grad_(True) for p in params]
            loss, aux = fn(rebuild(params, leaves), *args)
            grads = torch.autograd.grad(loss, leaves, allow_unused=True)
            # An unused parameter gets None from torch; every other framework gives zeros.
            grads = [torch.zeros_like(p) if g is None else g for p, g in zip(leaves, grads)]
            return loss.detach(), aux, rebuild(params, grads)

        return wrapped

    def jit(self, fn):
        # PyTorch runs the step eagerly (torch.compile took 30 s to compile it on a 2-core CPU: more
        # than the whole run). What helps is one intra-op thread while the step runs: its ops are small
        # (1024 x 32), so a second thread costs more to wake than it saves. Measured at the book's
        # settings on a 2-core Xeon: 2.16M against 1.66M tokens/s, and 2.0M against 0.14M to 0.68M
        # when another process holds a core (OpenMP threads then wait for each other). The setting is
        # restored after each call, so other PyTorch code keeps its threads.
        def one_thread(*args):
            before = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                return fn(*args)
            finally:
                torch.set_num_threads(before)

        return one_thread
