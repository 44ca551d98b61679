"""TensorFlow adapter (eager by default; :meth:`jit` wraps ``tf.function``).

TensorFlow's C++ runtime logs info lines on stderr at import; set
``TF_CPP_MIN_LOG_LEVEL=2`` in the environment to hide them (the package does
not write environment variables).
"""

import numpy as np
import tensorflow as tf

from ..errors import RNNGuideError
from .base import Backend, leaves, rebuild


class TensorFlowBackend(Backend):
    name = "tensorflow"
    module_name = "tensorflow"
    # tf.experimental.numpy gives NumPy's names (concatenate, sum, ...) on tf tensors.
    xp = tf.experimental.numpy
    _nn = tf.nn

    @property
    def device(self):
        return "gpu" if tf.config.list_logical_devices("GPU") else "cpu"

    # tf.experimental.numpy.float32 is NumPy's type; TF's own dtype is tf.float32.
    def _dtype_float32(self):
        return tf.float32

    def _from_numpy(self, array):
        return tf.constant(array)

    def _to_numpy(self, x):
        return np.asarray(x)

    def _make_key(self, seed):
        return tf.random.Generator.from_seed(seed)

    def _seed_global(self, n):
        tf.random.set_seed(n)

    # TensorFlow sizes its thread pools once, when its runtime starts (at the first operation).
    def _use_threads(self, n):
        config = tf.config.threading
        try:
            config.set_intra_op_parallelism_threads(n)
            config.set_inter_op_parallelism_threads(n)
        except RuntimeError:
            now = (config.get_intra_op_parallelism_threads(), config.get_inter_op_parallelism_threads())
            if now != (n, n):
                shown = "its default" if now == (0, 0) else f"{now[0]} intra-op and {now[1]} inter-op"
                raise RNNGuideError(
                    f"use: TensorFlow's runtime has already started, with {shown} threads; threads={n} "
                    "can only be set before: restart the kernel (or Python) and call "
                    f"rnn_guide.use('tensorflow', threads={n}) before any TensorFlow operation"
                ) from None
        return True

    # tnp.take clips the indices first (two more ops per lookup); tf.gather is the lookup alone.
    def take_rows(self, W, indices):
        return tf.gather(W, indices)

    def norm(self, x):
        value = tf.norm(x)
        # TF tensors have no .item(): in eager mode hand back a NumPy scalar, which has it.
        # Inside tf.function (graph mode) the tensor is returned unchanged.
        return value.numpy() if tf.executing_eagerly() else value

    def stop_gradient(self, x):
        return tf.stop_gradient(x)

    # x[t]'s gradient is a zero tensor of x's whole shape per t; tf.unstack's is one stack.
    def _unstack(self, x):
        return tf.unstack(x, axis=0)

    def split(self, x, sections, axis=-1):
        return tf.split(x, sections, axis=axis)

    def _value_and_grad(self, fn):
        def wrapped(params, *args):
            with tf.GradientTape() as tape:
                tape.watch(leaves(params))
                loss, aux = fn(params, *args)
            grads = tape.gradient(loss, leaves(params), unconnected_gradients=tf.UnconnectedGradients.ZERO)
            # tf.gather's gradient is an IndexedSlices; make it a dense tensor like the others.
            grads = [tf.convert_to_tensor(g) for g in grads]
            return loss, aux, rebuild(params, grads)

        return wrapped

    compiles = True  # one compilation per input shape: training pads batches to one shape

    def jit(self, fn):
        # One trace per input shape (training pads the last, smaller batch, so there is one).
        # jit_compile=True (XLA) is not used: its faster steps do not win back its compile time over
        # the book's 100 epochs (figures in benchmarks/README.md).
        return tf.function(fn, autograph=False)  # plain Python control flow, traced as is
