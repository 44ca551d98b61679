"""Which framework to use, and in which order the choice is made.

The order, first match wins:

1. the environment variable ``RNN_GUIDE_FRAMEWORK`` (so a teacher or CI can run
   every notebook in another framework without editing it);
2. the ``framework`` argument given to :func:`rnn_guide.use`;
3. the default, ``'pytorch'``.

When the environment variable overrides an explicit argument, one line says so.
"""

import os

from .errors import RNNGuideError

ENV_VAR = "RNN_GUIDE_FRAMEWORK"
DEFAULT_FRAMEWORK = "pytorch"

#: Canonical framework names, in the order the docs list them.
FRAMEWORKS = ("pytorch", "tensorflow", "jax", "mxnet", "numpy")

#: Other spellings that people type.
ALIASES = {"torch": "pytorch", "tf": "tensorflow", "mx": "mxnet", "np": "numpy"}


def canonical_name(name):
    """Return the canonical name for ``name`` (``'torch'`` -> ``'pytorch'``).

    Raises:
        RNNGuideError: ``name`` is not a framework this package knows.
    """
    if not isinstance(name, str):
        raise RNNGuideError(
            f"framework must be a string such as 'pytorch', received {name!r} of type {type(name).__name__}"
        )
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in FRAMEWORKS:
        valid = ", ".join(repr(f) for f in FRAMEWORKS)
        aliases = ", ".join(f"{a!r}" for a in ALIASES)
        raise RNNGuideError(f"unknown framework {name!r}: expected one of {valid} (aliases: {aliases})")
    return key


def resolve_framework(framework=None, environ=None):
    """Apply the order of choice and return ``(name, note)``.

    Args:
        framework: the name asked for in code, or None.
        environ: a mapping to read ``RNN_GUIDE_FRAMEWORK`` from (default ``os.environ``).

    Returns:
        The canonical name, and a one-line note when the environment variable
        overrode a different explicit argument (else None).
    """
    environ = os.environ if environ is None else environ
    from_env = environ.get(ENV_VAR, "").strip()
    if from_env:
        try:
            name = canonical_name(from_env)
        except RNNGuideError as err:
            raise RNNGuideError(f"{ENV_VAR}={from_env!r} is invalid: {err}") from None
        note = None
        if framework is not None and canonical_name(framework) != name:
            note = f"rnn_guide: {ENV_VAR}={from_env} overrides framework={framework!r}"
        return name, note
    if framework is None:
        return DEFAULT_FRAMEWORK, None
    return canonical_name(framework), None
