"""Explicit, seeded randomness for every backend (a part of :class:`~rnn_guide.backends.base.Backend`).

Each backend object owns a NumPy ``Generator`` (seed 0 when created, reseeded by ``seed``), and
``randn``/``normal`` draw from it and convert, so the same seed gives the same numbers in every
framework. Creating a backend seeds nothing outside the object.
"""

import numpy as np

from .. import _validation as check

DEFAULT_SEED = 0


class Seeded:
    """The random half of a backend; the class using it provides ``_from_numpy``."""

    def _make_key(self, seed):
        """What :meth:`get_key` returns on this framework, built from an integer seed."""
        return np.random.default_rng(seed)

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
