"""The interface every framework adapter implements.

A backend object is what ``d2l = rnn_guide.use(framework)`` returns. It offers
tensor helpers under d2l's names, with **one signature and one meaning on every
framework** (d2l's own aliases differ between its backends), plus the few
hooks the training code needs: gradients, stop-gradient and compilation.

Most helpers (:mod:`~rnn_guide.backends.ops`, randomness in :mod:`~rnn_guide.backends.seeding`)
are written once against ``self.xp``, an array namespace with NumPy's
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

import importlib

import numpy as np

from .. import _validation as check
from ..errors import RNNGuideError
from ..refusal import refusable
from .ops import Ops
from .seeding import DEFAULT_SEED, Seeded
from .tensors import tensor_framework


class Backend(Ops, Seeded):
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
    xp = None  #: the framework's array namespace with NumPy's names, set by each adapter
    _nn = None  # namespace with fused relu(x), softmax(x, axis=) and log_softmax(x, axis=)

    def _from_numpy(self, array):
        """Convert a NumPy array (dtype already chosen) to this framework's tensor."""
        raise NotImplementedError

    def _to_numpy(self, x):
        """Convert this framework's tensor to a NumPy array."""
        raise NotImplementedError

    def _dtype_float32(self):
        return self.xp.float32

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

    # -------------------------------------------------- autograd and compile
    @refusable("d2l.value_and_grad")
    def value_and_grad(self, fn):
        """Turn ``fn(params, *args) -> (loss, aux)`` into ``g(params, *args) -> (loss, aux, grads)``.

        ``params`` is a tuple, NamedTuple or list of tensors, nested to any depth (a deep model's
        layers); ``grads`` has the same structure. ``aux`` is returned as computed (not differentiated).
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

    # ------------------------------------------------- the framework's own layer
    @property
    def builtin_layer(self):
        """The framework's own recurrent layer, loaded with the guide's weights (d2l 9.6).

        ``d2l.builtin_layer(cell, layers, bidirectional=False)`` returns ``run``, with
        ``run(X)`` the layer's states, shape (num_steps, batch_size, num_directions * num_hiddens),
        for inputs X of shape (num_steps, batch_size, num_inputs); ``layers`` holds the weights
        as :mod:`rnn_guide.backends.layers` lays them out. It is the function of the framework's
        own module (``rnn_guide.backends.pytorch_layers`` and so on), so
        ``inspect.getsource(d2l.builtin_layer)`` shows the framework's code that builds the layer.
        """
        if self.name in ("numpy", "base"):
            raise RNNGuideError(
                f"the {self.name!r} backend has no recurrent layer of its own; "
                "use one of 'pytorch', 'tensorflow', 'jax', 'mxnet'"
            )
        return importlib.import_module(f"{__package__}.{self.name}_layers").builtin_layer


def leaves(params):
    """The tensors of ``params`` in order, as a list: ``params`` is a tensor, or a tuple, NamedTuple
    or list of them, nested to any depth (a deep model's parameters are a tuple of layers)."""
    if isinstance(params, (tuple, list)):
        return [leaf for part in params for leaf in leaves(part)]
    return [params]


def rebuild(params, new_leaves):
    """A container shaped like ``params`` (see :func:`leaves`) holding ``new_leaves`` in order."""
    remaining = iter(new_leaves)

    def build(part):
        if not isinstance(part, (tuple, list)):
            return next(remaining)
        items = [build(item) for item in part]
        return part._make(items) if hasattr(part, "_make") else type(part)(items)

    return build(params)
