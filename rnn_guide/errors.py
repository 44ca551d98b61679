"""The package's exceptions.

Every error that rnn_guide raises about user input derives from
:class:`RNNGuideError` (a ``ValueError``), so ``except ValueError`` keeps
working for code that does not know about this package. A framework that is
missing raises :class:`FrameworkNotInstalledError`, an ``ImportError``.
"""


class RNNGuideError(ValueError):
    """Bad input to rnn_guide: the message says what was expected and what was received."""


class ShapeError(RNNGuideError):
    """Tensors whose shapes do not fit the equation they are used in."""


class FrameworkNotInstalledError(ImportError):
    """The requested deep-learning framework cannot be imported here."""


class ShortcutRefused(RNNGuideError):
    """A library function was called where a question asks the student to write it."""
