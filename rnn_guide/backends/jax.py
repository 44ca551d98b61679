"""JAX adapter. JAX arrays are immutable and its randomness is an explicit key."""

import jax
import jax.numpy as jnp
import numpy as np

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

    # lax.scan traces the step once: the gated cells' training step compiles in about 1 s instead of
    # 9 s (GRU) and 19 s (LSTM) with the loop unrolled, and runs faster (measured, 2-core Xeon).
    def scan(self, fn, carry, xs):
        return jax.lax.scan(fn, carry, xs)

    compiles = True  # one compilation per input shape: training pads batches to one shape

    def jit(self, fn):
        # The whole training step (forward, backward, clipping, update) is one XLA computation: 3.8M
        # tokens/s at the book's settings on a 2-core CPU, first epoch 4 s. Compiling takes about 2.5 s
        # per batch shape because the Python loop over time is unrolled (a lax.scan, as in the
        # benchmark's built-in baseline, compiles in about 1 s but would rewrite lm_forward's loop).
        # XLA's compile options (optimization level, cheaper LLVM passes) saved little compile time
        # for slower steps (measured), so none is set.
        return jax.jit(fn)
