"""Checks for the student notebooks: one line that says what is wrong with an answer.

The coded questions (:mod:`rnn_guide.questions`) and any test of a notebook call these functions,
which compare a student's answer with the expected value in NumPy, whatever framework made the
tensors, and raise :class:`CheckFailed` with a message that names the answer and says how it
differs::

    from rnn_guide import checks
    checks.shape("H", H, (4, 5))              # H has shape (4, 6); expected shape (4, 5)
    checks.close("H_1", H_1, expected)        # H_1 is off by up to 0.15 (6% relative) at index (0, 3)
    checks.number("perplexity", ppl, 27.9)    # perplexity is 25.1, off by 10% relative
    checks.equal("V", V, 28)                  # V is 27, not the expected value

A message never prints the expected value of a value check (``close``, ``number``, ``equal``): a
student who copies numbers from it must not pass. Shapes are not answers, so ``shape`` names both.
A check never lets a framework error through: an answer that is not filled in yet (``...``), has
the wrong type or the wrong shape is reported as such.
"""

import numpy as np

from .backends import backend_of
from .backends.tensors import tensor_framework

__all__ = ["CheckFailed", "close", "describe", "equal", "number", "shape"]


class CheckFailed(AssertionError):
    """A student's answer is not the expected one; the message says how it differs."""


def _given(name, value):
    """Fail with a hint when the answer is still the placeholder of the student notebook."""
    if value is Ellipsis or value is None:
        raise CheckFailed(f"{name} is not filled in yet: replace the ... with your answer")


def _array(name, value):
    """The answer as a float64 NumPy array, from a tensor of any framework or a number."""
    _given(name, value)
    if isinstance(value, (bool, str)):
        raise CheckFailed(
            f"{name} should be a number or a tensor; got {type(value).__name__} {_short(value)}"
        )
    if tensor_framework(value) is not None and hasattr(value, "dtype"):
        array = backend_of(value).numpy(value)
    else:
        try:
            array = np.asarray(value)
        except (TypeError, ValueError):
            array = np.asarray(None)
    if array.dtype.kind not in "biuf":
        raise CheckFailed(f"{name} should be a number or a tensor; got {type(value).__name__}")
    return array.astype(np.float64)


def _short(value, limit=60):
    """``repr(value)``, cut to ``limit`` characters, for a message about a received value."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shape(name, value, expected):
    """Check that ``value`` (a tensor, or a shape given as a tuple) has shape ``expected``."""
    _given(name, value)
    expected = tuple(int(n) for n in expected)
    if tensor_framework(value) is not None and hasattr(value, "dtype"):  # a tensor: its shape
        received = tuple(int(n) for n in backend_of(value).shape(value))
    else:  # a shape: a tuple, a list, torch.Size, TensorShape, ...
        try:
            received = tuple(int(n) for n in value)
        except (TypeError, ValueError):
            raise CheckFailed(
                f"{name} should be a tensor or a shape like {expected}; "
                f"got {type(value).__name__} {_short(value)}"
            ) from None
    if received != expected:
        raise CheckFailed(f"{name} has shape {received}; expected shape {expected}")


def describe(value):
    """A short description of ``value`` for a message: its type and shape, never its numbers."""
    if tensor_framework(value) is not None and hasattr(value, "dtype"):
        return f"a {type(value).__name__} of shape {tuple(int(n) for n in backend_of(value).shape(value))}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"


def close(name, value, expected, atol=1e-5, rtol=0.0):
    """Check that tensor ``value`` equals ``expected`` entry by entry, within ``atol + rtol * |expected|``.

    The message gives the largest difference, how large it is relative to the expected entry, and
    where it is, so a wrong sign or a missing term shows up as a number. It never prints the
    expected value itself.
    """
    received = _array(name, value)
    want = _array(f"the expected value of {name}", expected)
    if received.shape != want.shape:
        raise CheckFailed(f"{name} has shape {received.shape}; expected shape {want.shape}")
    if not np.all(np.isfinite(received)):
        raise CheckFailed(f"{name} contains NaN or infinity; expected finite numbers")
    difference = np.abs(received - want)
    excess = difference - (atol + rtol * np.abs(want))
    worst = np.unravel_index(int(np.argmax(excess)), excess.shape) if excess.size else ()
    if excess.size and excess[worst] > 0:
        where = f" at index {tuple(int(i) for i in worst)}" if worst else ""
        off = f"off by up to {difference[worst]:.3g}{_relative(difference[worst], want[worst])}"
        raise CheckFailed(f"{name} is {off}{where}")


def _relative(difference, expected):
    """`` (6% relative)``: the difference relative to the expected entry; nothing when that is 0.

    Whole percents only (or "under 1%"), and no sign: enough to tell a wrong term from a rounding
    slip, not enough to rebuild the expected value from the received one.
    """
    if abs(expected) < 1e-12:
        return ""
    relative = difference / abs(expected)
    return f" ({relative:.0%} relative)" if relative >= 0.01 else " (under 1% relative)"


def number(name, value, expected, rtol=1e-4):
    """Check that the single number ``value`` (a Python number or a one-element tensor) is
    ``expected`` to a relative tolerance ``rtol``; the message says by how much it is off."""
    received = _array(name, value)
    if received.size != 1:
        raise CheckFailed(f"{name} should be one number; got a tensor of shape {received.shape}")
    received = float(received.reshape(()))
    if not np.isfinite(received):
        raise CheckFailed(f"{name} is {received}; expected a finite number")
    difference = abs(received - expected)
    if difference > rtol * max(1.0, abs(expected)):
        relative = _relative(difference, expected).strip(" ()")  # "10% relative", or "" when 0 is expected
        raise CheckFailed(f"{name} is {received:.6g}, off by {relative or f'{difference:.2g}'}")


def equal(name, value, expected):
    """Check that ``value`` equals ``expected`` exactly (counts, shapes, strings)."""
    _given(name, value)
    try:
        same = bool(value == expected)
    except (TypeError, ValueError, RuntimeError):  # e.g. a whole tensor compared with a number
        same = False
    if same:
        return
    if type(value) is not type(expected) and not (_is_number(value) and _is_number(expected)):
        raise CheckFailed(f"{name} should be of type {type(expected).__name__}; got {describe(value)}")
    raise CheckFailed(f"{name} is {_short(value)}, not the expected value")


def _is_number(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
