"""NumPy reference backend: plain NumPy, the oracle every other backend is tested against."""

import numpy as np

from ..refusal import refusable
from .base import Backend


class NumpyBackend(Backend):
    name = "numpy"
    module_name = "numpy"
    xp = np

    def _from_numpy(self, array):
        return np.asarray(array)

    def _to_numpy(self, x):
        return np.asarray(x)

    # NumPy has no neural-network ops (no `_nn`): the reference writes the formulas out.
    def relu(self, x):
        return np.maximum(x, 0)

    def sigmoid(self, x):
        # The same function as 1 / (1 + exp(-x)), without exp's overflow for large negative x.
        return 0.5 * (np.tanh(0.5 * x) + 1.0)

    @refusable("d2l.softmax")
    def softmax(self, x, axis=-1):
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)

    @refusable("d2l.log_softmax")
    def log_softmax(self, x, axis=-1):
        shifted = x - np.max(x, axis=axis, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))

    def norm(self, x):
        # Return a NumPy scalar (it has .item()), accumulated in float64 for accuracy.
        return np.float32(np.sqrt(np.sum(np.square(x, dtype=np.float64))))

    # NumPy warns where the frameworks stay silent: for a tiny threshold norm / theta overflows to
    # inf, which gives the intended scale of 0.
    def clip_by_global_norm(self, grads, theta):
        with np.errstate(over="ignore"):
            return super().clip_by_global_norm(grads, theta)
