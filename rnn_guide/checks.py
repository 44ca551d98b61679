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

The rules every check keeps:

- **A wrong answer never passes, whatever its type.** Bools are not numbers (``True`` is not 1),
  a string is not a shape, ``(2.7, 3.2)`` is not ``(2, 3)``, and an answer of a kind a check
  cannot compare (complex, sparse or ragged tensors, Python ints too large for a float64, lists
  of unequal rows) fails with a message that names what it is. Tensors of any framework and
  dtype are read, bfloat16 included (it is widened to float32 first).
- **The placeholder is** ``...`` **only.** An answer of ``...`` is "not filled in yet"; ``None`` is
  an answer like any other: right for ``equal`` when ``None`` is expected, the wrong type elsewhere.
- **NaN.** NaN equals nothing, so an expected NaN is only allowed with ``equal_nan=True`` (an
  argument of ``close``, ``number`` and ``equal``, False by default): the answer must then be NaN
  at the same places. Without it, an expected NaN is the grader's mistake (``equal(x, nan)``
  could never pass), and so is an expected infinity in ``close`` and ``number``. An answer's NaN
  or infinity where a number is expected fails.
- **A grader's mistake is not a student's.** A bad ``expected``, ``atol`` or ``rtol`` (negative,
  NaN, a bool, a string, a shape that is not whole numbers...) raises
  :class:`~rnn_guide.errors.RNNGuideError` naming the argument, what it must be and what it was;
  it never lets an answer pass.
- **Messages are short.** One line of at most :data:`MESSAGE_LIMIT` characters, cut with "...",
  however large the answer. A value check (``close``, ``number``, ``equal``) never prints the
  expected value: a student who copies numbers from it must not pass. Shapes are not answers,
  so ``shape`` names both. No framework error gets through.
"""

import math

import numpy as np

from ._check_arrays import (
    Unreadable,
    array_problem,
    as_arrays,
    describe,
    holds_nan,
    index_text,
    is_tensor,
    misuse,
    read_array,
    read_shape,
    same,
    same_type,
    short,
)

__all__ = ["MESSAGE_LIMIT", "CheckFailed", "close", "describe", "equal", "number", "shape"]

#: the longest message of a CheckFailed; a longer one is cut and ends in "..."
MESSAGE_LIMIT = 300


class CheckFailed(AssertionError):
    """A student's answer is not the expected one; the message says how it differs.

    Whoever raises it, the message is one line of at most :data:`MESSAGE_LIMIT` characters.
    """

    def __init__(self, message=""):
        text = " ".join(str(message).splitlines())
        if len(text) > MESSAGE_LIMIT:
            text = text[: MESSAGE_LIMIT - 3] + "..."
        super().__init__(text)


def _given(name, value):
    """Fail with a hint when the answer is still the placeholder ``...`` of the student notebook."""
    if value is Ellipsis:
        raise CheckFailed(f"{name} is not filled in yet: replace the ... with your answer")


def _answer(name, value, allow_bool=False):
    """The student's ``value`` as a NumPy array of numbers, or CheckFailed saying why it is not one."""
    _given(name, value)
    try:
        return read_array(value, allow_bool)
    except Unreadable as err:
        raise CheckFailed(f"{name} {err}") from None


def _expected(check, expected, allow_bool=False):
    """The grader's ``expected`` as a NumPy array, or RNNGuideError."""
    try:
        return read_array(expected, allow_bool)
    except Unreadable as err:
        raise misuse(check, "expected", err.want, err.got) from None


def _tolerance(check, argument, value):
    """``atol`` or ``rtol`` as a float: a finite number >= 0, not a bool; else RNNGuideError."""
    want = "a finite number >= 0"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise misuse(check, argument, want, f"{type(value).__name__} {short(value)}")
    try:
        number = float(value)
    except OverflowError:  # an int such as 10**400
        number = math.inf
    if not (math.isfinite(number) and number >= 0):
        raise misuse(check, argument, want, short(value))
    return number


def _finite_expected(check, want, equal_nan):
    """Refuse an expected infinity, or an expected NaN without ``equal_nan=True``: no answer could match."""
    bad = np.isinf(want) | (np.isnan(want) & (not equal_nan))
    if bad.any():
        where = index_text(np.argwhere(bad)[0]) if want.ndim else ""
        raise misuse(
            check, "expected", "finite numbers (NaN only with equal_nan=True)", f"{want[bad][0]}{where}"
        )


def _fail_at(name, bad, problem):
    """CheckFailed with ``problem`` (its ``{where}`` filled in) at the first True entry of ``bad``."""
    if bad.any():
        index = tuple(np.argwhere(bad)[0])
        raise CheckFailed(f"{name} " + problem.format(where=index_text(index) if index else ""))


def shape(name, value, expected):
    """Check that ``value`` (a tensor, or a shape given as a tuple) has shape ``expected``.

    Args:
        name: the answer's name, as the student knows it (``"H"``).
        value: the answer: a tensor of any framework, or a shape (tuple, list, torch.Size, TensorShape).
            Its dimensions must be whole numbers: strings, floats and bools never pass.
        expected: the expected shape, a tuple of whole numbers >= 0.

    Raises:
        CheckFailed: the answer is not a shape, or not this one; the message names both shapes.
        RNNGuideError: ``expected`` is not a shape.
    """
    try:
        want = None if is_tensor(expected) else read_shape(expected)
    except Unreadable:
        want = None
    if want is None or any(n < 0 for n in want):
        raise misuse("shape", "expected", "a shape: a tuple of whole numbers >= 0", short(expected))
    _given(name, value)
    try:
        received = read_shape(value, like=want)
    except Unreadable as err:
        raise CheckFailed(f"{name} {err}") from None
    if received != want:
        raise CheckFailed(f"{name} has shape {received}; expected shape {want}")


def close(name, value, expected, atol=1e-5, rtol=0.0, equal_nan=False):
    """Check that ``value`` equals ``expected`` entry by entry, within ``atol + rtol * |expected|``.

    An entry passes when ``|value - expected| <= atol + rtol * |expected|``, computed in float64 on
    the numbers the answer holds (a float16 answer is compared as the float16 values it stores).

    The message gives the largest difference, how large it is relative to the expected entry, and
    where it is, so a wrong sign or a missing term shows up as a number. It never prints the
    expected value itself.

    Args:
        name: the answer's name, as the student knows it.
        value: the answer: a tensor of any framework, a NumPy array, nested lists or a number.
        expected: the expected numbers, of the same shape; finite (NaN only where ``equal_nan``).
        atol: the absolute tolerance, a finite number >= 0.
        rtol: the tolerance relative to ``|expected|``, a finite number >= 0.
        equal_nan: an expected NaN is matched by a NaN of the answer (and only by one).

    Raises:
        CheckFailed: the answer is of the wrong kind or shape, or off by more than the tolerance.
        RNNGuideError: the grader's ``expected``, ``atol`` or ``rtol`` is not valid.
    """
    atol, rtol = _tolerance("close", "atol", atol), _tolerance("close", "rtol", rtol)
    want = _expected("close", expected).astype(np.float64)
    _finite_expected("close", want, equal_nan)
    received = _answer(name, value).astype(np.float64)
    if received.shape != want.shape:
        raise CheckFailed(f"{name} has shape {received.shape}; expected shape {want.shape}")
    nan_wanted = np.isnan(want)
    _fail_at(name, np.isnan(received) & ~nan_wanted, "contains NaN{where}; expected a finite number there")
    _fail_at(name, np.isinf(received), "contains infinity{where}; expected a finite number there")
    _fail_at(name, nan_wanted & ~np.isnan(received), "has a number{where} that is not the expected value")
    with np.errstate(over="ignore", invalid="ignore"):
        difference = np.where(nan_wanted, 0.0, np.abs(received - want))
        allowed = atol + rtol * np.where(nan_wanted, 0.0, np.abs(want))
    if np.any(difference > allowed):
        worst = np.unravel_index(int(np.argmax(difference - allowed)), difference.shape)
        where = index_text(worst) if worst else ""
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


def number(name, value, expected, rtol=1e-4, equal_nan=False):
    """Check that the single number ``value`` is ``expected``, within ``rtol * max(1, |expected|)``.

    Args:
        name: the answer's name, as the student knows it.
        value: the answer: a Python number or a one-element tensor (a bool is not a number).
        expected: the expected number; finite, or NaN where ``equal_nan``.
        rtol: the relative tolerance, a finite number >= 0 (absolute below ``|expected| = 1``).
        equal_nan: an expected NaN is matched by a NaN answer (and only by one).

    Raises:
        CheckFailed: the answer is not one number, or is off by more; the message says by how much.
        RNNGuideError: the grader's ``expected`` or ``rtol`` is not valid.
    """
    rtol = _tolerance("number", "rtol", rtol)
    want = _expected("number", expected).astype(np.float64)
    if want.size != 1:
        raise misuse("number", "expected", "one number", f"an array of shape {want.shape}")
    _finite_expected("number", want.reshape(()), equal_nan)
    want = float(want.reshape(()))
    received = _answer(name, value)
    if received.size != 1:
        raise CheckFailed(f"{name} should be one number; got a tensor of shape {received.shape}")
    received = float(received.reshape(()))
    if math.isnan(want) and math.isnan(received):
        return
    if not math.isfinite(received):
        raise CheckFailed(f"{name} is {received}; expected a finite number")
    difference = abs(received - want)
    if math.isnan(want) or difference > rtol * max(1.0, abs(want)):
        relative = "" if math.isnan(want) else _relative(difference, want).strip(" ()")
        off = "not the expected value" if math.isnan(want) else f"off by {relative or f'{difference:.2g}'}"
        raise CheckFailed(f"{name} is {received:.6g}, {off}")


def equal(name, value, expected, equal_nan=False):
    """Check that ``value`` equals ``expected`` exactly (counts, strings, tuples, None, tensors).

    Numbers compare by value whatever their type (``28`` and ``28.0`` are equal), but a bool is not
    a number (``True`` is not ``1``). Tensors and arrays compare entry by entry and must have the
    same shape. Anything else must be of the expected type (a subclass counts, so ``torch.Size``
    is a tuple), and is compared by the expected type's own ``==``, never by the answer's.

    Args:
        name: the answer's name, as the student knows it.
        value: the answer, of any type.
        expected: the expected value; NaN (in a number or a tensor) only where ``equal_nan``.
        equal_nan: a NaN of the answer equals an expected NaN.

    Raises:
        CheckFailed: the answer is of another type, shape or value.
        RNNGuideError: ``expected`` holds NaN and ``equal_nan`` is False: no answer could pass.
    """
    if not equal_nan and holds_nan(expected):
        raise misuse(
            "equal", "expected", "free of NaN unless equal_nan=True (NaN equals nothing)", short(expected)
        )
    _given(name, value)
    if as_arrays(value, expected):
        problem = array_problem(value, expected, equal_nan)
        if problem:
            raise CheckFailed(f"{name} {problem}")
    elif not same_type(value, expected):
        raise CheckFailed(f"{name} should be of type {type(expected).__name__}; got {describe(value)}")
    elif not same(value, expected, equal_nan):
        raise CheckFailed(f"{name} is {short(value)}, not the expected value")
