"""JAX adapter. JAX arrays are immutable and its randomness is an explicit key."""

import jax
import jax.numpy as jnp
import numpy as np

from ..errors import RNNGuideError
from .base import Backend


class JaxBackend(Backend):
    name = "jax"
    module_name = "jax"
    xp = jnp
    _nn = jax.nn

    @property
    def device(self):
        return jax.devices()[0].platform

    def _from_numpy(self, array):
        return jnp.asarray(array)

    def _to_numpy(self, x):
        return np.asarray(x)

    def tensor(self, data, dtype=None):
        """As :meth:`Backend.tensor`; a floating ``dtype`` that JAX would narrow is refused.

        JAX keeps 64-bit types off unless ``jax_enable_x64`` is set, and then turns a float64
        array into float32 without a word, where every other backend keeps float64. Integers
        asked for as int64 still become int32, as JAX's indices always are (exact for any id).
        """
        x = super().tensor(data, dtype)  # checks dtype; a floating one JAX cannot hold is narrowed
        if dtype is not None and np.dtype(dtype).kind == "f" and x.dtype != np.dtype(dtype):
            raise RNNGuideError(
                f"tensor: dtype={np.dtype(dtype).name!r} needs JAX's 64-bit types, which are off, so JAX "
                f"would give {x.dtype}; switch them on with jax.config.update('jax_enable_x64', True) "
                "(or for one block: with jax.enable_x64(True):), or ask for dtype='float32'"
            )
        return x

    # JAX has no global generator: the key is state of this object, seeded with the NumPy generator.
    def _seed_own(self, n):
        super()._seed_own(n)
        self._key = jax.random.PRNGKey(n)

    def get_key(self):
        # Split the key that seed() set: reproducible, unlike d2l's unseeded get_key.
        self._key, subkey = jax.random.split(self._key)
        return subkey

    def stop_gradient(self, x):
        return jax.lax.stop_gradient(x)

    def _value_and_grad(self, fn):
        grad_fn = jax.value_and_grad(fn, has_aux=True)

        def wrapped(params, *args):
            (loss, aux), grads = grad_fn(params, *args)
            return loss, aux, grads

        return wrapped

    # lax.scan traces the step once: a gated cell's training step compiles many times faster than
    # with the loop over time unrolled, and runs faster. The tanh RNN's small step gains from
    # ``unroll`` copies per pass (its Cell record asks for 32), but only in a step compiled once and
    # run many times (self.jit: training, evaluation). A call outside one compiles its own scan,
    # where 32 copies took 3x the compile time and 8x the memory mappings (a long test session then
    # crashed in XLA's compiler; figures in benchmarks/README.md).
    _jitting = False

    def scan(self, fn, carry, xs, unroll=1):
        return jax.lax.scan(fn, carry, xs, unroll=unroll if self._jitting else 1)

    compiles = True  # one compilation per input shape: training pads batches to one shape

    def jit(self, fn):
        # The whole training step (forward, backward, clipping, update) is one XLA computation,
        # compiled once per batch shape. XLA's compile options (optimization level, cheaper LLVM
        # passes) saved little compile time for slower steps, so none is set.
        def traced(*args, **kwargs):  # runs while jax.jit traces fn, once per input shape
            before, self._jitting = self._jitting, True
            try:
                return fn(*args, **kwargs)
            finally:
                self._jitting = before

        return jax.jit(traced)
