"""The coded questions of the notebooks, checked on inputs the student never sees.

Each "Your turn" that asks for code asks for a function. Right after it, the student's notebook
calls :func:`feedback`, which runs the function on one fresh example and prints one line. When the
notebook is graded, otter's tests call :func:`check` with other seeds (hidden tests)::

    from rnn_guide import questions
    questions.feedback("q2_rnn_step", rnn_step_mine, d2l)        # in the notebook: one line
    questions.check("q2_rnn_step", rnn_step_mine, d2l, seed=7)   # in a test: raises CheckFailed

The library functions a question asks the student to write are switched off while the student's
function runs (:mod:`rnn_guide.refusal`), so calling them is refused with a message that says so.
``rnn_guide.questions.grading`` is the otter-grader plugin that grades every submission in one
framework (``scripts/assign_notebooks.py`` names it in each autograder zip).
"""

import difflib
from types import MappingProxyType

from .. import checks
from ..errors import RNNGuideError
from . import core, nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09

_NOTEBOOKS = (nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09)
QUESTIONS = MappingProxyType({q.name: q for nb in _NOTEBOOKS for q in nb.QUESTIONS})

__all__ = ["QUESTIONS", "check", "feedback", "get"]


def get(name):
    """The :class:`~rnn_guide.questions.core.Question` called ``name``.

    Raises:
        RNNGuideError: no question has that name; the message suggests the nearest names.
    """
    if not isinstance(name, str) or name not in QUESTIONS:
        near = difflib.get_close_matches(str(name), QUESTIONS, n=3)
        hint = f"did you mean {' or '.join(map(repr, near))}? " if near else ""
        raise RNNGuideError(
            f"no question called {name!r}; {hint}the questions are {', '.join(QUESTIONS) or 'none yet'}"
        )
    return QUESTIONS[name]


def check(name, answer, d2l, seed=0):
    """Check the student's function ``answer`` for question ``name`` on inputs drawn from ``seed``.

    Raises:
        CheckFailed: with one line saying what is wrong (never the expected value).
        RNNGuideError: no question is called ``name``.
    """
    core.check(get(name), answer, d2l, seed)


def feedback(name, answer, d2l):
    """Print one line: whether ``answer`` is right on a fresh example, and if not, what is wrong.

    This is the check cell of the student's notebook; it never raises for the student's sake, so a
    wrong answer does not stop the notebook: a check that cannot even run (``d2l`` overwritten, for
    example) is one line too. Grading runs the same function on other inputs. An unknown question
    name is the notebook's mistake, not the student's, and raises RNNGuideError.
    """
    question = get(name)
    try:
        core.check(question, answer, d2l, seed=0)
    except checks.CheckFailed as err:
        print(f"✗ {name}: {err}")
    except Exception as err:  # whatever state the notebook is in: one line
        first = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
        print(f"✗ {name}: the check could not run ({type(err).__name__}: {first}); run the cells above again")
    else:
        print(f"✓ {name}: {question.answer} is right on a fresh example; grading tries it on other inputs")
