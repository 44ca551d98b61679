"""Checks for the student notebooks: one line that says what is wrong with an answer.

The "your turn" questions of the notebooks are graded by otter-grader's ``grader.check``. Each
test calls one of these functions, which compare a student's answer with the expected value in
NumPy, whatever framework made the tensors, and raise :class:`CheckFailed` with a message that
names the answer, the expected value and the received one::

    from rnn_guide import checks
    checks.shape("H", H, (4, 5))              # H has shape (4, 6); expected (4, 5)
    checks.close("H_1", H_1, expected)        # H_1 is off by up to 0.031 ...
    checks.number("perplexity", ppl, 27.9)    # perplexity is 25.1; expected 27.9 ...

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
        raise CheckFailed(f"{name} should be a number or a tensor; got {type(value).__name__} {value!r}")
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
                f"{name} should be a tensor or a shape like {expected}; got {type(value).__name__} {value!r}"
            ) from None
    if received != expected:
        raise CheckFailed(f"{name} has shape {received}; expected {expected}")


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
        relative = difference[worst] / max(abs(want[worst]), 1e-12)
        raise CheckFailed(f"{name} is off by up to {difference[worst]:.3g} ({relative:.0%} relative){where}")


def number(name, value, expected, rtol=1e-4):
    """Check that the single number ``value`` (a Python number or a one-element tensor) is
    ``expected`` to a relative tolerance ``rtol``."""
    received = _array(name, value)
    if received.size != 1:
        raise CheckFailed(f"{name} should be one number; got a tensor of shape {received.shape}")
    received = float(received.reshape(()))
    if not np.isfinite(received) or abs(received - expected) > rtol * max(1.0, abs(expected)):
        raise CheckFailed(f"{name} is {received:.6g}; expected {expected:.6g}")


def equal(name, value, expected):
    """Check that ``value`` equals ``expected`` exactly (counts, shapes, strings)."""
    _given(name, value)
    try:
        same = bool(value == expected)
    except (TypeError, ValueError, RuntimeError):  # e.g. a whole tensor compared with a number
        same = False
    if not same:
        raise CheckFailed(f"{name} is {value!r}; expected {expected!r}")
