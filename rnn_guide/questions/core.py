"""The machinery of a coded question: a student's function run on inputs it has never seen.

A :class:`Question` says how to draw fresh inputs (``inputs(d2l, rng)``), how to compute the right
answer from them (``reference(d2l, *args)``), which library functions the student may not call
(``refuse``) and how to compare (``compare``). :func:`check` draws the inputs from a seed, runs the
reference, then runs the student's function with the refused functions switched off, and raises
:class:`~rnn_guide.checks.CheckFailed` with one line that says what is wrong: never the expected
value, so copying numbers from a message cannot pass.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import checks
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
        compare: ``(label, received, expected, d2l)``; raises CheckFailed. Default: :func:`compare_close`.
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


def compare_close(label, received, expected, d2l, atol=1e-4, rtol=1e-4):
    """Tensors (or a tuple/list of tensors) equal entry by entry, within ``atol + rtol * |expected|``."""
    if isinstance(expected, (tuple, list)):
        if not isinstance(received, (tuple, list)) or len(received) != len(expected):
            raise checks.CheckFailed(
                f"{label} should return {len(expected)} values; got {checks.describe(received)}"
            )
        for i, (r, e) in enumerate(zip(received, expected)):
            compare_close(f"{label}[{i}]", r, e, d2l, atol, rtol)
        return
    checks.close(label, received, expected, atol=atol, rtol=rtol)


def run_answer(question, answer, args):
    """Call the student's function on ``args`` with the question's refused functions switched off."""
    label = f"{question.answer}(...)"
    if answer is Ellipsis or answer is None:
        raise checks.CheckFailed(
            f"{question.answer} is not written yet: define it with def {question.answer}(...)"
        )
    if not callable(answer):
        raise checks.CheckFailed(f"{question.answer} should be a function; got {checks.describe(answer)}")
    with refusing(question.refuse):
        try:
            received = answer(*args)
        except ShortcutRefused as err:
            raise checks.CheckFailed(f"{question.answer}: {err}") from None
        except checks.CheckFailed:
            raise
        except Exception as err:  # the student's code failed: say how, in one line
            first = str(err).strip().splitlines()[0][:300] if str(err).strip() else ""
            raise checks.CheckFailed(f"{label} raised {type(err).__name__}: {first}") from None
    if received is Ellipsis or received is None:
        raise checks.CheckFailed(
            f"{label} returned {received!r}: replace the ... with your code and return the result"
        )
    return received


def check(question, answer, d2l, seed=0):
    """Run ``answer`` on the inputs drawn from ``seed`` and compare it with the reference.

    Raises:
        CheckFailed: the answer is missing, raises, calls a refused function, or differs; the
            message says how, never what the expected value is.
    """
    args = question.inputs(d2l, np.random.default_rng(seed))
    expected = question.reference(d2l, *args)
    # fresh arguments for the student, so an answer that changes its inputs in place changes nothing
    received = run_answer(question, answer, question.inputs(d2l, np.random.default_rng(seed)))
    (question.compare or compare_close)(f"{question.answer}(...)", received, expected, d2l)
