"""The interface every framework adapter implements.

A backend object is what ``d2l = rnn_guide.use(framework)`` returns. It offers
tensor helpers under d2l's names, with **one signature and one meaning on every
framework** (d2l's own aliases differ between its backends), plus the few
hooks the training code needs: gradients, stop-gradient and compilation.

Most helpers are written once here against ``self.xp``, an array namespace
with NumPy's function names (``numpy``, ``jax.numpy``, ``mxnet.numpy``,
``torch``, ``tf.experimental.numpy``). An adapter overrides a helper only where
its framework really differs, with a comment that names the difference.

Randomness is explicit: each backend object owns a NumPy ``Generator``
seeded by :meth:`seed` (seed 0 when created), and ``randn``/``normal`` draw
from it and convert. The same seed therefore gives the same numbers in every
framework, and the same code prints the same thing on every run.
"""

import sys

import numpy as np

from ..errors import RNNGuideError

DEFAULT_SEED = 0


class Backend:
    """Base class of the adapters. Subclasses set the class attributes and ``xp``."""

    #: canonical framework name, e.g. ``'pytorch'``
    name = "base"
    #: the module that must import for this backend to work
    module_name = "numpy"
    #: the pip extra that installs the framework
    extra = ""

    def __init__(self, seed=DEFAULT_SEED):
        self.float32 = self._dtype_float32()
        self.seed(seed)

    def __repr__(self):
        return f"<rnn_guide backend {self.name!r} on {self.device}>"

    # ------------------------------------------------------------------ hooks
    # Each adapter implements these five; everything else has a default.
    xp = None  # array namespace with NumPy's names

    def _from_numpy(self, array):
        """Convert a NumPy array (dtype already chosen) to this framework's tensor."""
        raise NotImplementedError

    def _to_numpy(self, x):
        """Convert this framework's tensor to a NumPy array."""
        raise NotImplementedError

    def _dtype_float32(self):
        return self.xp.float32

    def _make_key(self, seed):
        """What :meth:`get_key` returns on this framework, built from an integer seed."""
        return np.random.default_rng(seed)

    @property
    def device(self):
        """Where new tensors are placed (``'cpu'`` unless a GPU build is in use)."""
        return "cpu"

    # ------------------------------------------------------------ randomness
    def seed(self, n=DEFAULT_SEED):
        """Seed this backend's random state so ``randn``, ``normal`` and ``get_key`` repeat.

        Args:
            n: a non-negative integer.
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise RNNGuideError(f"seed must be a non-negative integer, received {n!r}")
        self._rng = np.random.default_rng(int(n))
        self._seed_framework(int(n))

    def _seed_framework(self, n):
        """Seed the framework's own global generator too, where it has one."""

    def get_key(self):
        """A fresh random key derived from the seeded state.

        JAX: a ``jax.random`` key split from the state that :meth:`seed` set,
        so ``jax.random.normal(d2l.get_key(), shape)`` repeats run after run.
        Other frameworks: their natural generator object, seeded from the
        same state (NumPy: ``numpy.random.Generator``; PyTorch:
        ``torch.Generator``; TensorFlow: ``tf.random.Generator``; MXNet: an
        integer seed, since MXNet has only a global generator).
        """
        return self._make_key(int(self._rng.integers(0, 2**31 - 1)))

    def normal(self, shape, mean=0.0, std=1.0):
        """Samples from N(mean, std**2), float32, of the given shape (a tuple)."""
        shape = _as_shape(shape, "normal")
        sample = self._rng.normal(mean, std, size=shape).astype(np.float32)
        return self._from_numpy(sample)

    def randn(self, *shape):
        """Standard-normal samples, float32: ``d2l.randn(3, 4)``."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return self.normal(shape)

    # -------------------------------------------------------------- creation
    def tensor(self, data, dtype=None):
        """A tensor from Python data or a NumPy array.

        Floating-point data becomes float32 (the default dtype everywhere);
        integer data keeps an integer dtype. ``dtype`` forces one (a NumPy
        dtype or its name, e.g. ``'int32'``).
        """
        if self.is_tensor(data):
            data = self._to_numpy(data)
        array = np.asarray(data)
        if dtype is not None:
            array = array.astype(dtype)
        elif array.dtype.kind == "f" or array.dtype == object:
            array = array.astype(np.float32)
        elif array.dtype.kind in "iu":
            array = array.astype(np.int64)
        return self._from_numpy(array)

    def zeros(self, shape):
        """float32 zeros of the given shape (a tuple)."""
        return self._from_numpy(np.zeros(_as_shape(shape, "zeros"), np.float32))

    def ones(self, shape):
        """float32 ones of the given shape (a tuple)."""
        return self._from_numpy(np.ones(_as_shape(shape, "ones"), np.float32))

    def numpy(self, x):
        """This backend's tensor (or anything array-like) as a NumPy array."""
        if self.is_tensor(x):
            return self._to_numpy(x)
        return np.asarray(x)

    def is_tensor(self, x):
        """True when ``x`` is a tensor of this framework."""
        return type(x).__module__.split(".")[0] in self._tensor_modules

    _tensor_modules = ("numpy",)

    # ------------------------------------------------------------------- ops
    def matmul(self, a, b):
        """Matrix product ``a @ b``."""
        return a @ b

    def concat(self, tensors, axis=0):
        """Join a sequence of tensors along an existing axis."""
        return self.xp.concatenate(list(tensors), axis=axis)

    def stack(self, tensors, axis=0):
        """Join a sequence of same-shaped tensors along a new axis."""
        return self.xp.stack(list(tensors), axis=axis)

    def reshape(self, x, shape):
        """``x`` with a new shape (a tuple) holding the same number of entries."""
        return self.xp.reshape(x, tuple(shape))

    def tanh(self, x):
        """Elementwise hyperbolic tangent."""
        return self.xp.tanh(x)

    def relu(self, x):
        """Elementwise ``max(x, 0)``."""
        return self.xp.maximum(x, 0)

    def exp(self, x):
        """Elementwise exponential."""
        return self.xp.exp(x)

    def log(self, x):
        """Elementwise natural logarithm."""
        return self.xp.log(x)

    def softmax(self, x, axis=-1):
        """Softmax along ``axis``, computed stably (the max is subtracted first)."""
        shifted = x - self.xp.max(x, axis=axis, keepdims=True)
        e = self.xp.exp(shifted)
        return e / self.xp.sum(e, axis=axis, keepdims=True)

    def argmax(self, x, axis=-1):
        """Index of the largest entry along ``axis``."""
        return self.xp.argmax(x, axis=axis)

    def reduce_sum(self, x, axis=None, keepdims=False):
        """Sum over ``axis`` (all entries when None)."""
        return self.xp.sum(x, axis=axis, keepdims=keepdims)

    def norm(self, x):
        """Euclidean norm of all entries (Frobenius for a matrix).

        The result supports ``.item()`` on every backend.
        """
        return self.xp.sqrt(self.xp.sum(x * x))

    def log_softmax(self, x, axis=-1):
        """``log(softmax(x))``, computed stably."""
        shifted = x - self.stop_gradient(self.xp.max(x, axis=axis, keepdims=True))
        return shifted - self.xp.log(self.xp.sum(self.xp.exp(shifted), axis=axis, keepdims=True))

    def take_rows(self, W, indices):
        """Rows ``W[indices]``: the same as ``one_hot(indices) @ W``, without the matmul."""
        return self.xp.take(W, indices, axis=0)

    def one_hot(self, indices, depth):
        """float32 one-hot vectors: shape ``indices.shape + (depth,)``."""
        return self.take_rows(self._from_numpy(np.eye(depth, dtype=np.float32)), indices)

    def clip_by_global_norm(self, grads, theta):
        """Scale all gradients together so that their joint norm is at most ``theta``.

        Returns:
            (clipped, norm): the scaled gradients (a list) and the norm before clipping.
        """
        norm = self.xp.sqrt(sum(self.xp.sum(g * g) for g in grads))
        scale = theta / self._at_least(norm, theta)  # min(1, theta / norm)
        return [g * scale for g in grads], norm

    def _at_least(self, x, value):
        """``max(x, value)`` for a scalar tensor ``x`` and a Python float."""
        return self.xp.maximum(x, value)

    def shape(self, x):
        """The shape of ``x`` as a tuple of ints."""
        return tuple(int(d) for d in x.shape)

    # -------------------------------------------------- autograd and compile
    def value_and_grad(self, fn):
        """Turn ``fn(params, *args) -> (loss, aux)`` into ``g(params, *args) -> (loss, aux, grads)``.

        ``params`` is a tuple or NamedTuple of tensors; ``grads`` has the same
        structure. ``aux`` is returned as computed (not differentiated).
        """
        raise RNNGuideError(
            f"the {self.name!r} backend has no automatic differentiation; "
            "use one of 'pytorch', 'tensorflow', 'jax', 'mxnet'"
        )

    def stop_gradient(self, x):
        """``x`` as a constant: no gradient flows back through it."""
        return x

    def jit(self, fn):
        """Compile ``fn`` where the framework can (identity otherwise)."""
        return fn


def _as_shape(shape, where):
    """Validate a shape argument and return it as a tuple of ints."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        shape = tuple(shape)
        ok = all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0 for d in shape)
    except TypeError:
        ok = False
    if not ok:
        raise RNNGuideError(
            f"{where}: shape must be a tuple of non-negative ints such as (3, 4), received {shape!r}"
        )
    return tuple(int(d) for d in shape)


def keep_freed_memory():
    """Let glibc keep freed memory for reuse instead of handing it back to the OS.

    PyTorch, TensorFlow and MXNet take CPU memory from malloc. By default glibc serves large blocks with fresh
    mappings and gives freed memory at the top of its heap back to the OS, so a training step's
    large temporaries (the 3.7 MB scores at the book's settings, their gradients) are faulted in
    again on every batch. Serving blocks up to 32 MiB from the heap and trimming it only above
    64 MiB keeps them mapped (peak RSS unchanged at the book's settings). A process-wide setting of
    the C library, the same as the MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ variables;
    nothing happens where the C library is not glibc.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # here, not at the top: `import rnn_guide` stays light

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    mallopt(M_MMAP_THRESHOLD, 32 << 20)
    mallopt(M_TRIM_THRESHOLD, 64 << 20)


def rebuild(params, leaves):
    """A container of the same kind as ``params`` holding ``leaves`` (tuple, NamedTuple, list)."""
    if hasattr(params, "_make"):
        return params._make(leaves)
    return type(params)(leaves)
