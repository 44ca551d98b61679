"""NumPy reference backend: plain NumPy, the oracle every other backend is tested against."""

import numpy as np

from .base import Backend


class NumpyBackend(Backend):
    name = "numpy"
    module_name = "numpy"
    extra = ""
    xp = np
    _tensor_modules = ("numpy",)

    def _from_numpy(self, array):
        return np.asarray(array)

    def _to_numpy(self, x):
        return np.asarray(x)

    def _make_key(self, seed):
        return np.random.default_rng(seed)

    def norm(self, x):
        # Return a NumPy scalar (it has .item()), accumulated in float64 for accuracy.
        return np.float32(np.sqrt(np.sum(np.square(x, dtype=np.float64))))
