"""Which framework to use, and in which order the choice is made.

In code (:func:`rnn_guide.use`, so in every notebook), first match wins:

1. the environment variable ``RNN_GUIDE_FRAMEWORK`` (so a teacher or CI can run
   every notebook in another framework without editing it);
2. the ``framework`` argument given to :func:`rnn_guide.use`;
3. the default, ``'pytorch'``.

When the environment variable overrides an explicit argument, one line says so.

On the command line (``rnn-guide``) a ``--framework`` flag is typed for this one run, the most
explicit choice there is, so it wins: ``--framework``, else ``RNN_GUIDE_FRAMEWORK``, else
``'pytorch'`` (:func:`command_line_framework`).
"""

import os

from .errors import RNNGuideError

ENV_VAR = "RNN_GUIDE_FRAMEWORK"
DEFAULT_FRAMEWORK = "pytorch"

#: Canonical framework names, in the order the docs list them.
FRAMEWORKS = ("pytorch", "tensorflow", "jax", "mxnet", "numpy")

#: Other spellings that people type.
ALIASES = {"torch": "pytorch", "tf": "tensorflow", "mx": "mxnet", "np": "numpy"}


def _shown(value, limit=60):
    # validation.shown() sits above this module (the layers contract), so the same rule in short:
    # repr with escapes, cut in the middle when long (a 100 KB variable must not give a 100 KB message)
    text = ascii(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}...{text[-10:]} ({len(text)} characters)"


def canonical_name(name):
    """Return the canonical name for ``name`` (``'torch'`` -> ``'pytorch'``).

    Raises:
        RNNGuideError: ``name`` is not a framework this package knows.
    """
    if not isinstance(name, str):
        raise RNNGuideError(
            f"framework must be a string such as 'pytorch', received {_shown(name)} "
            f"of type {type(name).__name__}"
        )
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in FRAMEWORKS:
        valid = ", ".join(repr(f) for f in FRAMEWORKS)
        aliases = ", ".join(f"{a!r}" for a in ALIASES)
        raise RNNGuideError(f"unknown framework {_shown(name)}: expected one of {valid} (aliases: {aliases})")
    return key


def _from_environment(environ):
    """The canonical name in ``RNN_GUIDE_FRAMEWORK``, or None when it is unset or blank."""
    from_env = environ.get(ENV_VAR, "").strip()
    if not from_env:
        return None
    try:
        return canonical_name(from_env)
    except RNNGuideError as err:
        raise RNNGuideError(f"{ENV_VAR}={_shown(from_env)} is invalid: {err}") from None


def resolve_framework(framework=None, environ=None):
    """Apply the order of choice in code and return ``(name, note)``.

    Args:
        framework: the name asked for in code, or None.
        environ: a mapping to read ``RNN_GUIDE_FRAMEWORK`` from (default ``os.environ``).

    Returns:
        The canonical name, and a one-line note when the environment variable
        overrode a different explicit argument (else None).
    """
    environ = os.environ if environ is None else environ
    name = _from_environment(environ)
    if name is not None:
        note = None
        if framework is not None and canonical_name(framework) != name:
            note = f"rnn_guide: {ENV_VAR}={environ[ENV_VAR].strip()} overrides framework={framework!r}"
        return name, note
    if framework is None:
        return DEFAULT_FRAMEWORK, None
    return canonical_name(framework), None


def command_line_framework(flag=None, environ=None):
    """The command line's order of choice: ``--framework``, else ``RNN_GUIDE_FRAMEWORK``, else the default.

    Args:
        flag: the value of ``--framework``, or None when it was not given.
        environ: a mapping to read ``RNN_GUIDE_FRAMEWORK`` from (default ``os.environ``); it is
            not read at all when ``flag`` is given, so a bad value there cannot stop the flag.

    Returns:
        The canonical name.
    """
    if flag is not None:
        return canonical_name(flag)
    name = _from_environment(os.environ if environ is None else environ)
    return DEFAULT_FRAMEWORK if name is None else name
