"""The interface every framework adapter implements.

A backend object is what ``d2l = rnn_guide.use(framework)`` returns. It offers
tensor helpers under d2l's names, with **one signature and one meaning on every
framework** (d2l's own aliases differ between its backends), plus the few
hooks the training code needs: gradients, stop-gradient and compilation.

Most helpers are written once here against ``self.xp``, an array namespace with NumPy's
names (``numpy``, ``jax.numpy``, ``mxnet.numpy``, ``torch``, ``tf.experimental.numpy``), and
``self._nn``, where the fused ``relu``, ``softmax`` and ``log_softmax`` live (``torch``,
``tf.nn``, ``jax.nn``, ``mxnet.npx``; NumPy writes them out). An adapter overrides a helper
only where its framework really differs, with a comment that names the difference.

Randomness is explicit: each backend object owns a NumPy ``Generator``
(seed 0 when created, reseeded by :meth:`seed`), and ``randn``/``normal`` draw
from it and convert. The same seed therefore gives the same numbers in every
framework, and the same code prints the same thing on every run. Creating a
backend touches no state outside the object: the framework's global generator
is seeded only by :meth:`seed`.
"""

import numpy as np

from .. import validation as check
from ..errors import RNNGuideError
from ..refusal import refusable
from .tensors import tensor_framework

DEFAULT_SEED = 0


class Backend:
    """Base class of the adapters. Subclasses set the class attributes, ``xp`` and ``_nn``."""

    #: canonical framework name, e.g. ``'pytorch'``
    name = "base"
    #: the framework's import name, e.g. ``'torch'``
    module_name = "numpy"

    def __init__(self):
        self.float32 = self._dtype_float32()
        self._compiled = {}
        self._seed_own(DEFAULT_SEED)

    def __repr__(self):
        return f"<rnn_guide backend {self.name!r} on {self.device}>"

    # ------------------------------------------------------------------ hooks
    # Each adapter sets xp and _nn and implements the two conversions; everything else has a default.
    xp = None  # array namespace with NumPy's names
    _nn = None  # namespace with fused relu(x), softmax(x, axis=) and log_softmax(x, axis=)

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

    # Threads per operation (chosen in threads.py). A framework that can change its count while it runs
    # implements both; the others fix theirs when their runtime starts, and None says so.
    def _get_threads(self):
        return None

    def _set_threads(self, n):
        raise NotImplementedError

    def _use_threads(self, n):
        """``use(..., threads=n)``: ``n`` threads per operation for the whole process; False where the
        framework has no such setting that rnn_guide can make."""
        if self._get_threads() is None:
            return False
        self._set_threads(n)
        return True

    # ------------------------------------------------------------ randomness
    def seed(self, n=DEFAULT_SEED):
        """Seed every generator a notebook draws from, so its numbers repeat run after run.

        This seeds three things: this backend's NumPy generator (``randn``,
        ``normal``, ``get_key``), the JAX key the JAX backend holds, and the
        framework's own global generator (``torch.manual_seed``,
        ``tf.random.set_seed``, ``mx.random.seed``), because students also call
        ``torch.randn`` and the like directly. ``rnn_guide.use`` calls it;
        creating a backend, ``get_backend`` and ``backend_of`` seed nothing.

        Args:
            n: an integer in [0, 2**32 - 1].
        """
        n = check.seed(n, "seed")
        self._seed_own(n)
        self._seed_global(n)

    def _seed_own(self, n):
        """Seed the random state this object holds (and nothing outside it)."""
        self._rng = np.random.default_rng(n)

    def _seed_global(self, n):
        """Seed the framework's global generator, where it has one."""

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
        """Samples from N(mean, std**2), float32, of the given shape (a tuple).

        ``mean`` is a finite number and ``std`` a finite number >= 0 (0 gives ``mean`` everywhere).
        """
        shape = check.as_shape(shape, "normal")
        mean = check.finite_number(mean, "mean", "normal")
        std = check.non_negative_number(std, "std", "normal")
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
        dtype or its name, e.g. ``'int32'``). Data that is not numbers (strings, a ragged
        nested list) is refused with :class:`~rnn_guide.errors.RNNGuideError`.
        """
        if self.is_tensor(data):
            data = self._to_numpy(data)
        array = check.numeric_array(data, "data", "tensor", dtype)
        if dtype is None and array.dtype.kind == "f":
            array = array.astype(np.float32)
        elif dtype is None and array.dtype.kind in "iu":
            array = array.astype(np.int64)
        return self._from_numpy(array)

    def zeros(self, shape):
        """float32 zeros of the given shape (a tuple)."""
        return self._from_numpy(np.zeros(check.as_shape(shape, "zeros"), np.float32))

    def ones(self, shape):
        """float32 ones of the given shape (a tuple)."""
        return self._from_numpy(np.ones(check.as_shape(shape, "ones"), np.float32))

    def numpy(self, x):
        """This backend's tensor (or anything array-like) as a NumPy array."""
        if self.is_tensor(x):
            return self._to_numpy(x)
        return np.asarray(x)

    def is_tensor(self, x):
        """True when ``x`` is a tensor of this framework."""
        return tensor_framework(x) == self.name

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
        return self._nn.relu(x)

    def sigmoid(self, x):
        """Elementwise logistic function ``1 / (1 + exp(-x))``, the gates of the GRU and LSTM."""
        return self._nn.sigmoid(x)

    def exp(self, x):
        """Elementwise exponential."""
        return self.xp.exp(x)

    def log(self, x):
        """Elementwise natural logarithm."""
        return self.xp.log(x)

    @refusable("d2l.softmax")
    def softmax(self, x, axis=-1):
        """Softmax along ``axis``, computed stably (the max is subtracted first)."""
        return self._nn.softmax(x, axis=axis)

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

    @refusable("d2l.log_softmax")
    def log_softmax(self, x, axis=-1):
        """``log(softmax(x))``, computed stably."""
        return self._nn.log_softmax(x, axis=axis)

    def take_rows(self, W, indices):
        """Rows ``W[indices]``: the same as ``one_hot(indices) @ W``, without the matmul."""
        return self.xp.take(W, indices, axis=0)

    def one_hot(self, indices, depth):
        """float32 one-hot vectors: shape ``indices.shape + (depth,)``."""
        depth = check.positive_int(depth, "depth", "one_hot")
        return self.take_rows(self._from_numpy(np.eye(depth, dtype=np.float32)), indices)

    @refusable("d2l.clip_by_global_norm")
    def clip_by_global_norm(self, grads, theta):
        """Scale all gradients together so that their joint norm is at most ``theta``.

        The scale is ``min(1, theta / norm)``: 1 when ``theta`` is infinite or
        the gradients are all zero. There is no Python ``if`` on a value, so
        ``theta`` can be a traced argument of a compiled step.

        Args:
            grads: a sequence of float32 tensors.
            theta: the largest joint norm, > 0 (``inf`` leaves the gradients as
                they are): a Python number or a 0-d float32 tensor of this backend.
                A number is checked and held inside float32's range
                (:func:`rnn_guide.validation.clip_threshold`), so any positive one works.

        Returns:
            (clipped, norm): the scaled gradients (a list) and the norm before clipping.
        """
        if not self.is_tensor(theta):
            theta = check.clip_threshold(theta, "theta", "clip_by_global_norm", allow_inf=True)
        norm = self.xp.sqrt(sum(self.xp.sum(g * g) for g in grads))
        # min(1, theta / norm) written as 1 / max(1, norm / theta): no 0/0 for zero gradients, no
        # inf/inf for theta = inf, and no overflow for a tiny norm.
        scale = 1.0 / self.xp.clip(norm / theta, 1.0, None)
        return [g * scale for g in grads], norm

    def shape(self, x):
        """The shape of ``x`` as a tuple of ints."""
        return tuple(int(d) for d in x.shape)

    def split(self, x, sections, axis=-1):
        """``x`` cut into ``sections`` equal parts along ``axis`` (a list), e.g. the gates of one matmul."""
        return list(self.xp.split(x, sections, axis=axis))

    def scan(self, fn, carry, xs):
        """Run ``carry, y_t = fn(carry, x_t)`` for t = 0, 1, ... over the first axis of ``xs``.

        ``xs`` is a tensor or a tuple of tensors with the same first dimension (then ``x_t`` is the
        tuple of their t-th slices); ``carry`` is a tensor or a tuple of them and keeps its shapes.

        Returns:
            ``(carry, ys)``: the last carry and the ``y_t`` stacked along a new first axis.

        This is ``jax.lax.scan``'s meaning, written here as the plain loop (unrolled when a step is
        compiled). JAX runs ``lax.scan`` itself, which compiles ``fn`` once instead of once per step.
        """
        many = isinstance(xs, tuple)
        slices = list(zip(*(self._unstack(x) for x in xs))) if many else self._unstack(xs)
        ys = []
        for x_t in slices:
            carry, y = fn(carry, x_t)
            ys.append(y)
        return carry, self.stack(ys, 0)

    def _unstack(self, x):
        """The slices ``x[0], x[1], ...`` along the first axis, as a list.

        Where indexing's gradient writes into a zero tensor of ``x``'s full shape per slice (PyTorch,
        TensorFlow, MXNet), an adapter uses the framework's unstack, whose gradient is one stack.
        """
        return [x[t] for t in range(self.shape(x)[0])]

    # -------------------------------------------------- autograd and compile
    @refusable("d2l.value_and_grad")
    def value_and_grad(self, fn):
        """Turn ``fn(params, *args) -> (loss, aux)`` into ``g(params, *args) -> (loss, aux, grads)``.

        ``params`` is a tuple or NamedTuple of tensors; ``grads`` has the same
        structure. ``aux`` is returned as computed (not differentiated).
        """
        return self._value_and_grad(fn)

    # Each framework's autograd: the adapters override this one, so the public method above (which
    # a question can switch off, rnn_guide.refusal) is the same for all of them.
    def _value_and_grad(self, fn):
        raise RNNGuideError(
            f"the {self.name!r} backend has no automatic differentiation; "
            "use one of 'pytorch', 'tensorflow', 'jax', 'mxnet'"
        )

    def stop_gradient(self, x):
        """``x`` as a constant: no gradient flows back through it."""
        return x

    #: whether :meth:`jit` compiles (one compilation per input shape), so fewer shapes pay off
    compiles = False

    def jit(self, fn):
        """Compile ``fn`` where the framework can (identity otherwise)."""
        return fn

    def compiled(self, key, build):
        """``self.jit(build())``, built on the first call for ``key`` and the same object afterwards.

        Compiled training and evaluation steps are kept on the backend, so a
        second ``train()`` call with the same settings does not compile again.

        Args:
            key: a hashable name of the function, e.g. ``'train_step'``. Settings that change
                between calls, such as the learning rate, are arguments of the function, not the key.
            build: a function of no arguments that returns the function to compile.
        """
        if key not in self._compiled:
            self._compiled[key] = self.jit(build())
        return self._compiled[key]


def rebuild(params, leaves):
    """A container of the same kind as ``params`` holding ``leaves`` (tuple, NamedTuple, list)."""
    if hasattr(params, "_make"):
        return params._make(leaves)
    return type(params)(leaves)
