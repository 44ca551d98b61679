"""Argument checks shared by every public function: one place, one wording.

Each check returns the value in a plain form (a Python ``int`` or ``float``, a ``Path``, a
NumPy array) when it is valid and raises :class:`~rnn_guide.errors.RNNGuideError` otherwise.
The message names the argument, says what was expected and shows what was received, e.g.
``train: epochs must be a positive integer, received 0``. NumPy scalars (``np.int64(3)``,
``np.float32(1.0)``) count as numbers; ``True`` and ``False`` do not. The checks run before
any framework op; nothing here imports a framework (:func:`tensor_args` is handed the two
functions that recognise a tensor's framework and dtype).
"""

import math
import numbers
import os
import warnings
from pathlib import Path

import numpy as np

from .errors import RNNGuideError

#: The largest seed: every framework's generator accepts seeds up to 2**32 - 1.
MAX_SEED = 2**32 - 1

#: The smallest sampling temperature. Below it the scores divided by the temperature
#: leave the range of floats (1e-310 turns them into inf and the probabilities into NaN);
#: at 1e-3 a draw is already practically the argmax (temperature=None decodes greedily).
MIN_TEMPERATURE = 1e-3

_FLOAT32 = np.finfo(np.float32)


def is_integer(value):
    """True for Python and NumPy integers, False for booleans."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def is_number(value):
    """True for Python and NumPy real numbers, False for booleans."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def shown(value, limit=80):
    """``ascii(value)`` (``repr`` with escapes, so a control character is shown, never sent to the
    terminal), shortened in the middle when longer than ``limit`` characters."""
    text = ascii(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 20]}...{text[-10:]} ({len(text)} characters)"


def _fail(where, name, expected, value):
    prefix = f"{where}: " if where else ""
    raise RNNGuideError(f"{prefix}{name} must be {expected}, received {shown(value)}")


def _number(value, name, where, ok, expected):
    """``float(value)`` if it is a number for which ``ok(float)`` holds, else the error."""
    try:
        number = float(value) if is_number(value) else None
    except OverflowError:  # an int such as 10**400
        number = None
    if number is None or not ok(number):
        _fail(where, name, expected, value)
    return number


# ------------------------------------------------------------------ numbers
def positive_int(value, name, where=None):
    """``value`` as an int if it is an integer >= 1."""
    return _int(value, name, where, 1, "a positive integer")


def non_negative_int(value, name, where=None):
    """``value`` as an int if it is an integer >= 0."""
    return _int(value, name, where, 0, "a non-negative integer")


def _int(value, name, where, low, expected):
    if not (is_integer(value) and value >= low):
        _fail(where, name, expected, value)
    return int(value)


def seed(value, where=None, name="seed", allow_none=False):
    """``value`` as an int if it is an integer in ``[0, MAX_SEED]`` (None too, with ``allow_none``)."""
    if value is None and allow_none:
        return None
    non_negative_int(value, name, where)
    if value > MAX_SEED:
        _fail(where, name, f"at most 2**32 - 1 = {MAX_SEED}", value)
    return int(value)


def finite_number(value, name, where=None):
    """``value`` as a float if it is a finite number (negative and zero included)."""
    return _number(value, name, where, math.isfinite, "a finite number")


def positive_number(value, name, where=None, meaning=None, allow_inf=False):
    """``value`` as a float if it is a finite number > 0 (``inf`` too with ``allow_inf``).

    ``meaning`` is a short hint shown in the message, e.g. ``'a learning rate such as 1'``.
    """
    expected = "a positive number (inf allowed)" if allow_inf else "a positive finite number"
    expected += f" ({meaning})" if meaning else ""
    return _number(value, name, where, lambda x: 0 < x < math.inf or (allow_inf and x == math.inf), expected)


def clip_threshold(value, name, where=None, allow_inf=False):
    """A positive finite clipping threshold (``inf`` too with ``allow_inf``) as a float that float32 holds.

    Clipping runs in float32, where a threshold above 3.4e38 would round to ``inf`` and one below
    1.2e-38 to 0 (zero gradients would then give ``0 / 0``). Either is held at the end of
    float32's range instead, which clips float32 gradients the same way.
    """
    meaning = "the largest gradient norm, e.g. 1" + (", or inf for none" if allow_inf else "")
    number = positive_number(value, name, where, meaning, allow_inf)
    if number == math.inf:
        return number
    return min(max(number, float(_FLOAT32.tiny)), float(_FLOAT32.max))


def non_negative_number(value, name, where=None):
    """``value`` as a float if it is a finite number >= 0."""
    return _number(value, name, where, lambda x: 0 <= x < math.inf, "a finite number >= 0")


def temperature(value, where=None, name="temperature"):
    """``value`` as a float if it is a finite number >= :data:`MIN_TEMPERATURE` (1e-3)."""
    expected = f"a finite number >= {MIN_TEMPERATURE:g} (or None for greedy decoding)"
    return _number(value, name, where, lambda x: MIN_TEMPERATURE <= x < math.inf, expected)


def boolean(value, name, where=None):
    """``value`` as a bool if it is ``True`` or ``False`` (NumPy's too); the string ``'false'`` is not."""
    if not isinstance(value, (bool, np.bool_)):
        _fail(where, name, "True or False", value)
    return bool(value)


def one_of(value, name, choices, where=None):
    """``value`` if it is one of ``choices``."""
    if value not in choices:
        _fail(where, name, "one of " + ", ".join(repr(c) for c in choices), value)
    return value


def int_sequence(values, name, where=None, low=None, high=None):
    """Token ids, positions and the like as a list of ints, each in ``[low, high]`` where given."""
    bounds = f" in [{low}, {high}]" if low is not None and high is not None else ""
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind in "iu":  # a long corpus
        if not bounds or values.size == 0 or low <= values.min() <= values.max() <= high:
            return values.tolist()
    try:
        items = list(values) if not isinstance(values, (str, bytes)) else None
    except TypeError:
        items = None
    if items is None:
        _fail(where, name, "a sequence of integers", values)
    for i, item in enumerate(items):
        if not is_integer(item) or (bounds and not low <= item <= high):
            prefix = f"{where}: " if where else ""
            raise RNNGuideError(
                f"{prefix}{name} must hold integers{bounds}, received {shown(item)} at position {i}"
            )
    return [int(item) for item in items]


def generator(value, name, where=None):
    """``value`` if it is a NumPy ``Generator``."""
    if not isinstance(value, np.random.Generator):
        _fail(where, name, "a numpy.random.Generator such as np.random.default_rng(0)", value)
    return value


# --------------------------------------------------------------- shapes, text
def as_shape(shape, where):
    """``shape`` as a tuple of non-negative ints; an int ``n`` means ``(n,)``."""
    dims = (shape,) if is_integer(shape) else shape
    try:
        dims = None if isinstance(dims, (str, bytes)) else tuple(dims)
    except TypeError:
        dims = None
    if dims is None or not all(is_integer(d) and d >= 0 for d in dims):
        _fail(where, "shape", "a tuple of non-negative ints such as (3, 4)", shape)
    return tuple(int(d) for d in dims)


def text(value, name, where=None):
    """``value`` if it is a ``str`` (bytes are not: decode them first)."""
    if not isinstance(value, str):
        hint = "; decode bytes first, e.g. data.decode('utf-8')" if isinstance(value, bytes) else ""
        _fail(where, name, f"a str{hint}", value)
    return value


def str_sequence(values, name, where=None):
    """``values`` (a str, or an iterable of str such as tokens) as a list of str."""
    try:
        items = None if isinstance(values, bytes) else list(values)
    except TypeError:
        items = None
    if items is None or not all(isinstance(item, str) for item in items):
        _fail(where, name, "a str or a sequence of str", values)
    return items


def path(value, name, where=None):
    """``value`` as a ``Path`` if it is a str or an ``os.PathLike``."""
    if not isinstance(value, (str, os.PathLike)) or value == "":
        _fail(where, name, "a file path (a non-empty str or pathlib.Path)", value)
    return Path(value)


def numeric_array(data, name, where, dtype=None):
    """``data`` as a NumPy array of bool, int or float (cast to ``dtype``); strings or ragged lists fail."""
    if dtype is not None:
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            _fail(where, "dtype", "a NumPy dtype or its name such as 'float32'", dtype)
        if dtype.kind not in "biuf":
            _fail(where, "dtype", "a bool, integer or floating dtype", dtype.name)
    try:
        with warnings.catch_warnings():  # NumPy < 1.24 warns about a ragged list before it fails below
            warnings.filterwarnings("ignore", message="Creating an ndarray from ragged")
            array = np.asarray(data)
        if array.dtype == object:  # e.g. a list holding Python numbers of mixed kinds
            array = array.astype(np.float32 if dtype is None else dtype)
        elif dtype is not None:
            array = array.astype(dtype)
    except (TypeError, ValueError, OverflowError):
        array = None
    if array is None or array.dtype.kind not in "biuf":
        _fail(where, name, "numbers (a nested list of equal-length rows or a NumPy array)", data)
    return array
