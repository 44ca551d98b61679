"""The tensor arguments of the guide's functions: tensors, one framework, one floating dtype.

Kept apart from ``rnn_guide._validation`` (plain Python values) because it is about
tensors; it still imports no framework: the caller hands it the two functions that
recognise a tensor's framework and dtype.
"""

from ._config import FRAMEWORKS, canonical_name
from ._validation import shown
from .errors import RNNGuideError


def _framework_asked(backend, where):
    """The canonical framework name of a ``backend=`` argument (a name or a backend object)."""
    name = backend if isinstance(backend, str) else getattr(backend, "name", None)
    if not isinstance(name, str):
        raise RNNGuideError(
            f"{where}: backend must be a framework name ({', '.join(FRAMEWORKS)}) or a backend object, "
            f"received {shown(backend)}"
        )
    try:
        return canonical_name(name)
    except RNNGuideError as err:
        raise RNNGuideError(f"{where}: backend={backend!r} is invalid: {err}") from None


def tensor_args(where, tensors, framework_of, dtype_of, backend=None, weights=None, optional=()):
    """Check the tensor arguments of one of the guide's functions; return their framework's name.

    Args:
        where: the function's name, shown first in every message.
        tensors: ``{argument name: value}`` in signature order.
        framework_of: ``value -> framework name``, or None for a value that is not a tensor.
        dtype_of: ``tensor -> dtype name`` such as ``'float32'``.
        backend: the ``backend=`` argument: None, a framework name or a backend object.
        weights: the argument whose dtype every other must equal (default: the first one).
        optional: arguments that may be None (skipped then), e.g. ``('H0',)``.

    Raises:
        RNNGuideError: a value that is no tensor (a list, say), two frameworks, a ``backend=``
            that is not the tensors' framework, dtypes that differ, or one that is not floating.
    """
    given = {name: value for name, value in tensors.items() if not (value is None and name in optional)}
    found = {}  # framework -> the first argument of it
    for name, value in given.items():
        framework = framework_of(value)
        if framework is None:
            kind = type(value).__name__
            raise RNNGuideError(
                f"{where}: {name} must be a tensor (of {', '.join(FRAMEWORKS)}; d2l.tensor(...) makes one), "
                f"received a {kind}: {shown(value, 60)}"
            )
        found.setdefault(framework, name)
    if len(found) > 1:
        (fa, na), (fb, nb) = list(found.items())[:2]
        raise RNNGuideError(
            f"{where}: tensors from different frameworks cannot be mixed, received {na} from {fa} and "
            f"{nb} from {fb}; create them all with the same backend"
        )
    framework, first = next(iter(found.items()))
    asked = None if backend is None else _framework_asked(backend, where)
    if asked not in (None, framework):
        raise RNNGuideError(
            f"{where}: backend={asked!r} does not match the tensors, "
            f"which are {framework} tensors ({first} is one); leave backend=None or pass {framework} tensors"
        )
    dtypes = {name: dtype_of(value) for name, value in given.items()}
    weights = weights if weights in dtypes else first
    for name, dtype in dtypes.items():
        if dtype != dtypes[weights]:
            raise RNNGuideError(
                f"{where}: {name} has dtype {dtype} but {weights} has dtype {dtypes[weights]}; the tensors "
                "must share one floating dtype (d2l.tensor makes float32 from float data)"
            )
    if not dtypes[weights].startswith(("float", "bfloat")):
        raise RNNGuideError(
            f"{where}: the tensors have dtype {dtypes[weights]}, expected a floating dtype such as "
            "float32 (d2l.tensor([[1.0, 2.0]]) makes one)"
        )
    return framework
