"""Is one concatenated matmul faster than two matmuls and an add? Measured, not assumed.

The guide notes that ``X W_xh + H W_hh`` equals
``concat([X, H], 1) @ concat([W_xh, W_hh], 0)`` (Step 4) and that the second
form "can be more efficient". :func:`time_concat` times both on the current
framework, so a notebook can show what actually happens on the machine at hand.
"""

import gc
import time
from typing import NamedTuple

import numpy as np

from . import _validation as check
from .backends import get_backend
from .errors import RNNGuideError

DEFAULT_SIZES = (4, 16, 64, 256, 1024)


class ConcatTiming(NamedTuple):
    """Result of :func:`time_concat`: one entry per size, times in seconds."""

    framework: str  #: the framework timed, e.g. ``'pytorch'``
    sizes: list  #: one ``(batch_size, num_inputs, num_hiddens)`` per measurement
    separate: list  #: median seconds of ``X W_xh + H W_hh``, one per size
    #: median seconds of ``concat([X, H], 1) @ W``, ``W = concat([W_xh, W_hh], 0)``, one per size
    concatenated: list
    repeats: int  #: timed runs of each form at each size; the median is kept

    @property
    def speedup(self):
        """``separate / concatenated`` per size: above 1 means the concatenated form was faster."""
        return [s / c for s, c in zip(self.separate, self.concatenated)]

    def table(self):
        """The timings as a small text table (microseconds)."""
        lines = [
            f"{self.framework}, median of {self.repeats} runs",
            f"{'n, d, h':>18}  {'two matmuls':>12}  {'concatenated':>12}  {'speedup':>7}",
        ]
        for size, s, c, r in zip(self.sizes, self.separate, self.concatenated, self.speedup):
            shown = ", ".join(str(v) for v in size)
            lines.append(f"{shown:>18}  {s * 1e6:9.1f} us  {c * 1e6:9.1f} us  {r:6.2f}x")
        return "\n".join(lines)


def time_concat(d2l, sizes=DEFAULT_SIZES, repeats=20, seed=0):
    """Time ``X W_xh + H W_hh`` against ``concat([X, H], 1) @ W`` on one framework.

    Each measured call converts its result to NumPy with ``d2l.numpy``, so it
    waits for the framework to finish (JAX and MXNet return before the work
    is done). The conversion costs the same on both sides. The concatenated
    weights ``W = concat([W_xh, W_hh], 0)`` are built once, before timing, as a
    layer that stores them that way would; concatenating ``X`` and ``H`` is
    part of every call, since the state changes at every step. The two forms
    are timed alternately, after two warm-up calls each, and the median of
    ``repeats`` runs is kept.

    Args:
        d2l: a backend object or a framework name.
        sizes: a sequence whose items are an int ``s`` (batch_size = num_inputs =
            num_hiddens = s) or a tuple ``(batch_size, num_inputs, num_hiddens)``.
        repeats: how many timed runs per form and size (a positive int).
        seed: seed of the NumPy generator that draws the float32 inputs, an integer in [0, 2**32 - 1].

    Returns:
        ConcatTiming(framework, sizes, separate, concatenated, repeats).

    Raises:
        RNNGuideError: ``sizes``, ``repeats`` or ``seed`` is not as described.
    """
    d2l = get_backend(d2l)
    sizes = _check_sizes(sizes)
    repeats = check.positive_int(repeats, "repeats", "time_concat")
    seed = check.seed(seed, "time_concat")
    rng = np.random.default_rng(seed)
    separate, concatenated = [], []
    for n, d, h in sizes:
        X, H, W_xh, W_hh = (
            d2l.tensor(rng.standard_normal(shape).astype(np.float32))
            for shape in ((n, d), (n, h), (d, h), (h, h))
        )
        W = d2l.concat((W_xh, W_hh), 0)  # (d + h, h)

        def two_matmuls(X=X, H=H, W_xh=W_xh, W_hh=W_hh):
            return d2l.numpy(d2l.matmul(X, W_xh) + d2l.matmul(H, W_hh))

        def one_matmul(X=X, H=H, W=W):
            return d2l.numpy(d2l.matmul(d2l.concat((X, H), 1), W))

        s, c = _median_seconds(two_matmuls, one_matmul, int(repeats))
        separate.append(s)
        concatenated.append(c)
    return ConcatTiming(d2l.name, sizes, separate, concatenated, int(repeats))


def _median_seconds(first, second, repeats):
    """Median wall time of two functions, timed alternately (the order swaps every run)."""
    for _ in range(2):  # warm-up: first-call dispatch, caches, lazy initialisation
        first()
        second()
    times = {first: [], second: []}
    was_enabled = gc.isenabled()
    gc.disable()  # as timeit does: a collection in the middle of one run is noise
    try:
        for r in range(repeats):
            for fn in (first, second) if r % 2 == 0 else (second, first):
                start = time.perf_counter()
                fn()
                times[fn].append(time.perf_counter() - start)
    finally:
        if was_enabled:
            gc.enable()
    return float(np.median(times[first])), float(np.median(times[second]))


def _check_sizes(sizes):
    expected = (
        "an int s (for n = d = h = s) or a tuple (batch_size, num_inputs, num_hiddens) of positive ints"
    )
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise RNNGuideError(
            f"time_concat: sizes must be a sequence of sizes, each {expected}; received {sizes!r}"
        )
    checked = []
    for size in sizes:
        triple = (size,) * 3 if _is_positive_int(size) else size
        if not (
            isinstance(triple, (tuple, list)) and len(triple) == 3 and all(map(_is_positive_int, triple))
        ):
            raise RNNGuideError(f"time_concat: each size must be {expected}, received {size!r}")
        checked.append(tuple(int(v) for v in triple))
    if not checked:
        raise RNNGuideError(
            f"time_concat: sizes must hold at least one size ({expected}), received {sizes!r}"
        )
    return checked


def _is_positive_int(value):
    return check.is_integer(value) and value > 0
