"""Framework-neutral printing for notebooks: the same text whatever framework made the tensor."""

import numpy as np

from . import _validation as check
from .backends import backend_of


def show(x, decimals=4):
    """A tensor of any framework as a rounded NumPy array (``-0.0`` printed as ``0.0``).

    Rounding hides float32 noise in the last digits, which differs between
    frameworks, so a notebook's printed output is the same on every framework.

    Args:
        x: a tensor of any framework, a NumPy array, a Python number or a nested list of numbers.
        decimals: digits kept after the point, an integer >= 0.
    """
    decimals = check.non_negative_int(decimals, "decimals", "show")
    if isinstance(x, (int, float, list, tuple)):
        array = check.numeric_array(x, "x", "show")
    else:
        array = backend_of(x).numpy(x)
    if array.dtype.kind == "f":
        return np.round(array.astype(np.float64), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return array
