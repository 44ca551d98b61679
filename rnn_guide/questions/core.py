"""The machinery of a coded question: a student's function run on inputs it has never seen.

A :class:`Question` says how to draw fresh inputs (``inputs(d2l, rng)``), how to compute the right
answer from them (``reference(d2l, *args)``), which library functions the student may not call
(``refuse``) and how to compare (``compare``). :func:`check` draws the inputs from a seed, runs the
reference, then runs the student's function with the refused functions switched off, and raises
:class:`~rnn_guide.checks.CheckFailed` with one line that says what is wrong: never the expected
value, so copying numbers from a message cannot pass.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import checks
from ..backends import backend_of
from ..backends.tensors import dtype_name, tensor_framework
from ..errors import RNNGuideError, ShortcutRefused
from ..refusal import refusing

DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True)
class Question:
    """One coded question of a notebook.

    Attributes:
        name: otter's question name, e.g. ``"q2_rnn_step"``.
        answer: the name of the function the student writes, e.g. ``"rnn_step_mine"``.
        inputs: ``(d2l, rng) -> tuple`` of positional arguments, drawn fresh from ``rng`` (a NumPy
            generator), sizes included, so that hard-coded shapes or numbers fail.
        reference: ``(d2l, *args) -> expected``, the right answer for those arguments.
        refuse: names of refusable library functions switched off while the student's function runs.
        compare: ``(label, received, expected, d2l)``; raises CheckFailed. Default: ``compare_close``.
        difficulty: ``"easy"``, ``"medium"`` or ``"hard"``.
        minutes: about how long a student needs.
    """

    name: str
    answer: str
    inputs: Callable[..., tuple]
    reference: Callable[..., Any]
    refuse: tuple = ()
    compare: Callable[..., None] = None
    difficulty: str = "easy"
    minutes: int = 5

    def __post_init__(self):
        if self.difficulty not in DIFFICULTIES:
            raise RNNGuideError(
                f"{self.name}: difficulty must be one of {DIFFICULTIES}, received {self.difficulty!r}"
            )


def normal_draw(d2l, rng, scale=0.5):
    """``draw(*shape)``: float32 tensors in ``d2l`` of normal entries (mean 0, std ``scale``) from ``rng``."""

    def draw(*shape):
        return d2l.tensor(rng.normal(0.0, scale, size=shape).astype("float32"))

    return draw


def compare_close(label, received, expected, d2l, atol=1e-4, rtol=1e-4):
    """Tensors (or a tuple/list of tensors) equal entry by entry, within ``atol + rtol * |expected|``.

    Before the numbers, the kind of answer: as many values as expected, a tensor of the framework
    in use where the reference gives one (a NumPy array in a PyTorch notebook means the work was
    not done with ``d2l``), and floating-point numbers where the reference has them.
    """
    if isinstance(expected, (tuple, list)):
        if not isinstance(received, (tuple, list)) or len(received) != len(expected):
            raise checks.CheckFailed(
                f"{label} should return {len(expected)} values; got {checks.describe(received)}"
            )
        for i, (r, e) in enumerate(zip(received, expected)):
            compare_close(f"{label}[{i}]", r, e, d2l, atol, rtol)
        return
    if isinstance(received, (tuple, list)):
        raise checks.CheckFailed(f"{label} should return one value; got {checks.describe(received)}")
    _same_kind(label, received, expected)
    checks.close(label, received, expected, atol=atol, rtol=rtol)


def _is_tensor(value):
    return tensor_framework(value) is not None and hasattr(value, "dtype")


def _same_kind(label, received, expected):
    """A framework tensor where the reference is one, floats where it has floats."""
    if not _is_tensor(expected) or received is None or received is Ellipsis:
        return
    framework = tensor_framework(expected)
    if framework != "numpy" and tensor_framework(received) != framework:
        raise checks.CheckFailed(
            f"{label} should return a {framework} tensor (compute it with d2l's functions); "
            f"got {checks.describe(received)}"
        )
    if _is_tensor(received):
        want, got = dtype_name(expected), dtype_name(received)
        if "float" in want and ("int" in got or "bool" in got):
            raise checks.CheckFailed(f"{label} has dtype {got}; expected floating-point numbers")


def _snapshot(value):
    """A copy of the numbers in ``value`` (a tensor, or a tuple/list of them); None for the rest."""
    if _is_tensor(value):
        return np.array(backend_of(value).numpy(value), copy=True)
    if isinstance(value, (tuple, list)):
        return tuple(_snapshot(v) for v in value)
    return None


def _changed(before, value):
    """Whether ``value`` no longer holds the numbers of its snapshot ``before``."""
    if before is None:
        return False
    if isinstance(before, tuple):
        return len(before) != len(value) or any(_changed(b, v) for b, v in zip(before, value))
    try:
        after = np.asarray(backend_of(value).numpy(value))
    except Exception:  # no longer a tensor at all (the student put something else in its place)
        return True
    return after.shape != before.shape or not np.array_equal(after, before, equal_nan=True)


def _parameter_names(answer, count):
    """The names of the student's parameters, or ``argument 1``, ... when they cannot be read."""
    try:
        names = list(inspect.signature(answer).parameters)
    except (TypeError, ValueError):
        names = []
    return [names[i] if i < len(names) else f"argument {i + 1}" for i in range(count)]


def _refused(err):
    """The ShortcutRefused behind ``err``, also when a framework re-raised it as another error."""
    seen = set()
    while err is not None and id(err) not in seen:
        if isinstance(err, ShortcutRefused):
            return err
        seen.add(id(err))
        err = err.__cause__ or err.__context__
    return None


def run_answer(question, answer, args):
    """Call the student's function on ``args`` with the question's refused functions switched off.

    Raises:
        CheckFailed: the function is missing, is not a function, raises (in one line, with the
            error's type and first line), calls a refused function, changes an argument in place,
            or returns nothing.
    """
    label = f"{question.answer}(...)"
    if answer is Ellipsis or answer is None:
        raise checks.CheckFailed(
            f"{question.answer} is not written yet: define it with def {question.answer}(...)"
        )
    if not callable(answer):
        raise checks.CheckFailed(f"{question.answer} should be a function; got {checks.describe(answer)}")
    before = [_snapshot(a) for a in args]
    with refusing(question.refuse):
        try:
            received = answer(*args)
        except checks.CheckFailed:
            raise
        except Exception as err:  # the student's code failed: say how, in one line
            refused = _refused(err)
            if refused is not None:
                raise checks.CheckFailed(f"{question.answer}: {refused}") from None
            first = str(err).strip().splitlines()[0][:300] if str(err).strip() else ""
            raise checks.CheckFailed(f"{label} raised {type(err).__name__}: {first}") from None
    names = _parameter_names(answer, len(args))
    for name, b, a in zip(names, before, args):
        if _changed(b, a):
            raise checks.CheckFailed(
                f"{question.answer} changed its argument {name} in place; leave the inputs as they "
                f"are and return new tensors"
            )
    if received is Ellipsis or received is None:
        raise checks.CheckFailed(
            f"{label} returned {received!r}: replace the ... with your code and return the result"
        )
    return received


def check(question, answer, d2l, seed=0):
    """Run ``answer`` on the inputs drawn from ``seed`` and compare it with the reference.

    The reference and the student's function each get their own draw of the inputs, so neither
    sees what the other did to them.

    Raises:
        CheckFailed: the answer is missing, raises, calls a refused function, changes its inputs,
            or differs; the message says how, never what the expected value is.
    """
    args = question.inputs(d2l, np.random.default_rng(seed))
    expected = question.reference(d2l, *args)
    received = run_answer(question, answer, question.inputs(d2l, np.random.default_rng(seed)))
    (question.compare or compare_close)(f"{question.answer}(...)", received, expected, d2l)
