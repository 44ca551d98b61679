"""Registry of backends: name -> adapter, imported only when asked for.

No deep-learning framework is imported until a backend for it is created.
"""

import importlib
import sys

from ..config import FRAMEWORKS, canonical_name, resolve_framework
from ..errors import FrameworkNotInstalledError, RNNGuideError

# name -> (adapter module, class name, the framework's import name)
_ADAPTERS = {
    "numpy": ("rnn_guide.backends.numpy", "NumpyBackend", "numpy"),
    "pytorch": ("rnn_guide.backends.pytorch", "PyTorchBackend", "torch"),
    "tensorflow": ("rnn_guide.backends.tensorflow", "TensorFlowBackend", "tensorflow"),
    "jax": ("rnn_guide.backends.jax", "JaxBackend", "jax"),
    "mxnet": ("rnn_guide.backends.mxnet", "MXNetBackend", "mxnet"),
}

# the first part of a tensor type's module -> backend name
_TENSOR_MODULES = {
    "numpy": "numpy",
    "torch": "pytorch",
    "tensorflow": "tensorflow",
    "keras": "tensorflow",
    "jax": "jax",
    "jaxlib": "jax",
    "mxnet": "mxnet",
}

_MXNET_NOTE = (
    " MXNet 1.9.1 is the last release (the project is retired); it needs "
    "Python <= 3.11 and numpy < 1.24, so give it a virtual environment of its own."
)


def _install_hint(name, cause):
    msg = (
        f"framework {name!r} is not available here ({type(cause).__name__}: {cause}). "
        f'Install it with: pip install "rnn-guide[{name}]"'
    )
    if name == "mxnet":
        msg += "." + _MXNET_NOTE
    return msg


def get_backend(framework, seed=0):
    """Create the backend for ``framework``, taken literally (no environment override).

    Args:
        framework: a framework name or alias, or a backend object (returned as is).
        seed: the seed of the new backend's random state.

    Raises:
        RNNGuideError: unknown name.
        FrameworkNotInstalledError: the framework does not import here.
    """
    if hasattr(framework, "xp") and hasattr(framework, "name"):
        return framework
    name = canonical_name(framework)
    module_name, class_name, _ = _ADAPTERS[name]
    try:
        module = importlib.import_module(module_name)
    except Exception as err:  # noqa: BLE001 - mxnet fails with AttributeError on new numpy
        raise FrameworkNotInstalledError(_install_hint(name, err)) from err
    return getattr(module, class_name)(seed=seed)


def use(framework=None, seed=0):
    """Return the backend students call ``d2l``: ``d2l = rnn_guide.use('jax')``.

    The choice is made in this order: the ``RNN_GUIDE_FRAMEWORK`` environment
    variable when set (one line on stderr says so when it overrides the
    argument), then ``framework``, then ``'pytorch'``.

    Args:
        framework: ``'pytorch'``, ``'tensorflow'``, ``'jax'``, ``'mxnet'`` or
            ``'numpy'`` (aliases ``'torch'``, ``'tf'``, ``'mx'``), or None.
        seed: seed of the backend's random state (``d2l.randn``, ``d2l.normal``,
            ``d2l.get_key``). Seeded by default, so code prints the same every run.

    Returns:
        A backend object with d2l-named helpers, e.g. ``d2l.matmul``, ``d2l.concat``.
    """
    name, note = resolve_framework(framework)
    if note:
        print(note, file=sys.stderr)
    return get_backend(name, seed=seed)


def available_frameworks():
    """The frameworks that import in this Python environment, in the documented order.

    This imports each installed framework once, so it can take a few seconds.
    """
    found = []
    for name in FRAMEWORKS:
        try:
            get_backend(name)
        except FrameworkNotInstalledError:
            continue
        found.append(name)
    return found


def backend_of(*tensors):
    """The backend that owns these tensors, inferred from their types.

    Python numbers and lists count as NumPy data. Mixing frameworks is an error.
    """
    names = set()
    for t in tensors:
        if t is None or isinstance(t, (int, float, list, tuple)):
            continue
        root = type(t).__module__.split(".")[0]
        if root not in _TENSOR_MODULES:
            raise RNNGuideError(
                f"expected a tensor of one of {', '.join(FRAMEWORKS)}, received {type(t).__name__}"
            )
        names.add(_TENSOR_MODULES[root])
    if len(names) > 1:
        raise RNNGuideError(
            f"tensors from different frameworks cannot be mixed, received {sorted(names)}; "
            "create them all with the same backend"
        )
    name = names.pop() if names else "numpy"
    return get_backend(name)


__all__ = ["use", "get_backend", "available_frameworks", "backend_of"]
