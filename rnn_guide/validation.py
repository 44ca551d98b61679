"""Argument checks shared by every public function: one place, one wording.

Each check returns the value as a plain Python number when it is valid and
raises :class:`~rnn_guide.errors.RNNGuideError` otherwise. The message names
the argument, says what was expected and shows what was received, e.g.
``train: epochs must be a positive integer, received 0``. NumPy scalars
(``np.int64(3)``, ``np.float32(1.0)``) count as numbers; ``True`` and
``False`` do not.
"""

import math
import numbers

from .errors import RNNGuideError


def is_integer(value):
    """True for Python and NumPy integers, False for booleans."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value):
    """True for Python and NumPy real numbers, False for booleans."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _fail(where, name, expected, value):
    prefix = f"{where}: " if where else ""
    raise RNNGuideError(f"{prefix}{name} must be {expected}, received {value!r}")


def positive_int(value, name, where=None):
    """``value`` as an int if it is an integer >= 1."""
    if not (is_integer(value) and value >= 1):
        _fail(where, name, "a positive integer", value)
    return int(value)


def non_negative_int(value, name, where=None):
    """``value`` as an int if it is an integer >= 0."""
    if not (is_integer(value) and value >= 0):
        _fail(where, name, "a non-negative integer", value)
    return int(value)


def positive_number(value, name, where=None, meaning=None):
    """``value`` as a float if it is a finite number > 0.

    Args:
        meaning: a short hint shown in the message, e.g. ``'a learning rate such as 1'``.
    """
    if not (is_number(value) and 0 < value < math.inf):
        expected = "a positive finite number" + (f" ({meaning})" if meaning else "")
        _fail(where, name, expected, value)
    return float(value)


def non_negative_number(value, name, where=None):
    """``value`` as a float if it is a finite number >= 0."""
    if not (is_number(value) and 0 <= value < math.inf):
        _fail(where, name, "a finite number >= 0", value)
    return float(value)


def one_of(value, name, choices, where=None):
    """``value`` if it is one of ``choices``."""
    if value not in choices:
        _fail(where, name, "one of " + ", ".join(repr(c) for c in choices), value)
    return value


def as_shape(shape, where):
    """``shape`` as a tuple of non-negative ints; an int ``n`` means ``(n,)``."""
    if is_integer(shape):
        shape = (shape,)
    try:
        shape = tuple(shape)
        ok = all(is_integer(d) and d >= 0 for d in shape)
    except TypeError:
        ok = False
    if not ok:
        raise RNNGuideError(
            f"{where}: shape must be a tuple of non-negative ints such as (3, 4), received {shape!r}"
        )
    return tuple(int(d) for d in shape)
