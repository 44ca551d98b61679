"""Registry of backends: name -> adapter, imported only when asked for, built once.

No deep-learning framework is imported until a backend for it is created.
There is one backend object per framework: ``use``, ``get_backend`` and
``backend_of`` all return it.
"""

import functools
import importlib
import sys

from .. import _validation as check
from .._config import FRAMEWORKS, canonical_name, resolve_framework
from ..errors import FrameworkNotInstalledError, RNNGuideError
from .malloc import keep_freed_memory
from .seeding import DEFAULT_SEED
from .tensors import tensor_framework
from .threads import fixed_why

# name -> (adapter module, class name)
_ADAPTERS = {
    "numpy": ("rnn_guide.backends.numpy", "NumpyBackend"),
    "pytorch": ("rnn_guide.backends.pytorch", "PyTorchBackend"),
    "tensorflow": ("rnn_guide.backends.tensorflow", "TensorFlowBackend"),
    "jax": ("rnn_guide.backends.jax", "JaxBackend"),
    "mxnet": ("rnn_guide.backends.mxnet", "MXNetBackend"),
}

_MXNET_NOTE = (
    " MXNet 1.9.1 is the last release (the project is retired); it needs "
    "Python <= 3.11 and numpy < 1.24, so give it a virtual environment of its own."
)


#: the framework's own pip command: rnn-guide is not on PyPI, so "rnn-guide[jax]" would find nothing
_PIP = {
    "numpy": "pip install numpy",
    "pytorch": "pip install torch --index-url https://download.pytorch.org/whl/cpu (the CPU build; "
    "plain pip install torch on Linux is the CUDA build, about 4.5 GB more)",
    "tensorflow": "pip install tensorflow-cpu (on macOS: pip install tensorflow)",
    "jax": "pip install jax",
    "mxnet": 'pip install mxnet "numpy<1.24"',
}


def _install_hint(name, cause):
    msg = (
        f"framework {name!r} is not available here ({type(cause).__name__}: {cause}). "
        f"Install it with: {_PIP[name]}, or install rnn_guide with its [{name}] extra"
    )
    if name == "mxnet":
        msg += "." + _MXNET_NOTE
    return msg


@functools.cache
def _backend(name):
    """The one backend object of the canonical framework ``name``, built on first use.

    A failed import is not cached: installing the framework and asking again works.
    """
    module_name, class_name = _ADAPTERS[name]
    try:
        module = importlib.import_module(module_name)
    except Exception as err:  # noqa: BLE001 - mxnet fails with AttributeError on new numpy
        raise FrameworkNotInstalledError(_install_hint(name, err)) from err
    return getattr(module, class_name)()


def get_backend(framework):
    """The backend of ``framework``, taken literally (no environment override). Seeds nothing.

    Args:
        framework: a framework name or alias, or a backend object (returned as is).

    Returns:
        The framework's one backend object: the same object on every call.

    Raises:
        RNNGuideError: unknown name.
        FrameworkNotInstalledError: the framework does not import here.
    """
    if hasattr(framework, "xp") and hasattr(framework, "name"):
        return framework
    return _backend(canonical_name(framework))


def use(framework=None, seed=DEFAULT_SEED, threads=None):
    """Return the backend students call ``d2l``, seeded: ``d2l = rnn_guide.use('jax')``.

    The choice is made in this order: the ``RNN_GUIDE_FRAMEWORK`` environment
    variable when set (one line on stderr says so when it overrides the
    argument), then ``framework``, then ``'pytorch'``.

    ``use`` calls ``d2l.seed(seed)``, so re-running a notebook's setup cell
    gives the same numbers again. That seeds the backend's NumPy generator
    (``d2l.randn``, ``d2l.normal``, ``d2l.get_key``), JAX's key on the JAX
    backend, and the framework's own global generator (``torch.manual_seed``,
    ``tf.random.set_seed``, ``mx.random.seed``), so ``torch.randn`` repeats too.

    Threads are left as they are unless ``threads`` is given: ``train`` and
    ``evaluate`` choose their own and restore them (``rnn_guide.backends.threads``).

    Args:
        framework: ``'pytorch'``, ``'tensorflow'``, ``'jax'``, ``'mxnet'`` or
            ``'numpy'`` (aliases ``'torch'``, ``'tf'``, ``'mx'``), or None.
        seed: an integer in [0, 2**32 - 1], the seed of all of the above.
        threads: None (the default: change nothing), or a positive integer: the threads per
            operation of the whole process from now on, an explicit opt-in for a shared server,
            where ``threads=1`` keeps every cell, not only training, from waiting on busy cores.
            PyTorch: ``torch.set_num_threads``. TensorFlow: its intra- and inter-op threads, which
            can only be set before its runtime starts (an error says so afterwards). JAX, MXNet and
            NumPy have no such setting that works here: one line on stderr says it is not applied.

    Returns:
        The framework's one backend object, with d2l-named helpers, e.g.
        ``d2l.matmul``, ``d2l.concat``.
    """
    seed = check.seed(seed, "use")
    if threads is not None:
        threads = check.positive_int(threads, "threads", "use")
    name, note = resolve_framework(framework)
    if note:
        print(note, file=sys.stderr)
    backend = _backend(name)
    if threads is not None and not backend._use_threads(threads):  # before anything runs (TensorFlow)
        print(f"rnn_guide: threads={threads} is not applied: {name} {fixed_why(name)}", file=sys.stderr)
    backend.seed(seed)
    return backend


def available_frameworks():
    """The frameworks that import in this Python environment, in the documented order.

    This imports each installed framework once, so it can take a few seconds.
    """
    found = []
    for name in FRAMEWORKS:
        try:
            _backend(name)
        except FrameworkNotInstalledError:
            continue
        found.append(name)
    return found


def backend_of(*tensors):
    """The backend that owns these tensors, inferred from their types. Seeds and changes nothing.

    Python numbers and lists count as NumPy data. Mixing frameworks is an error.
    """
    names = set()
    for t in tensors:
        if t is None or isinstance(t, (int, float, list, tuple)):
            continue
        name = tensor_framework(t)
        if name is None:
            raise RNNGuideError(
                f"expected a tensor of one of {', '.join(FRAMEWORKS)}, received a {type(t).__name__}: "
                f"{check.shown(t, 60)}"
            )
        names.add(name)
    if len(names) > 1:
        raise RNNGuideError(
            f"tensors from different frameworks cannot be mixed, received {sorted(names)}; "
            "create them all with the same backend"
        )
    return _backend(names.pop() if names else "numpy")


__all__ = ["use", "get_backend", "available_frameworks", "backend_of", "keep_freed_memory"]
