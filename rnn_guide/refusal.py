"""Library functions that a question can refuse for the length of one call.

A coded question that asks the student to write, say, one step of the recurrence must not be
answered by calling :func:`rnn_guide.rnn_step`. The functions a question may refuse are marked
``@refusable("rnn_guide.rnn_step")``; :func:`refusing` turns a set of them off inside a ``with``
block, and a call to one of them raises :class:`~rnn_guide.errors.ShortcutRefused` naming it.

The set lives in a ``contextvars.ContextVar``, so it is scoped to the ``with`` block (and to
its thread or task): outside a check nothing is refused, and nothing is patched or replaced.
"""

import contextlib
import contextvars
import functools

from .errors import ShortcutRefused

_REFUSED = contextvars.ContextVar("rnn_guide_refused", default=frozenset())


def refusable(name):
    """Mark a function as one that :func:`refusing` can turn off; ``name`` is how a student calls it."""

    def mark(function):
        @functools.wraps(function)
        def guarded(*args, **kwargs):
            if name in _REFUSED.get():
                raise ShortcutRefused(
                    f"this question asks you to write what {name} does, so it is switched off here: "
                    f"use the tensor operations of d2l (d2l.matmul, d2l.tanh, ...) instead"
                )
            return function(*args, **kwargs)

        return guarded

    return mark


@contextlib.contextmanager
def refusing(names):
    """Inside the block, calls to the refusable functions named in ``names`` raise ShortcutRefused."""
    token = _REFUSED.set(_REFUSED.get() | frozenset(names))
    try:
        yield
    finally:
        _REFUSED.reset(token)
