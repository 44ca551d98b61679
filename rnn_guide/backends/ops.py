"""The tensor helpers under d2l's names, written once against ``self.xp`` and ``self._nn``
(a part of :class:`~rnn_guide.backends.base.Backend`; an adapter overrides one only where its
framework really differs)."""

import numpy as np

from .. import _validation as check
from ..refusal import refusable


class Ops:
    """Math, shapes and the loop over time; the class using it sets ``xp``, ``_nn`` and ``name``."""

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
                A number is checked and held inside float32's range, so any positive
                one works.

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

    def scan(self, fn, carry, xs, unroll=1):
        """Run ``carry, y_t = fn(carry, x_t)`` for t = 0, 1, ... over the first axis of ``xs``.

        ``xs`` is a tensor or a tuple of tensors with the same first dimension (then ``x_t`` is the
        tuple of their t-th slices); ``carry`` is a tensor or a tuple of them and keeps its shapes.
        ``unroll`` is how many steps JAX compiles into one pass of its loop; the plain loop here
        has no use for it (a compiled TensorFlow step unrolls the whole loop anyway).

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
