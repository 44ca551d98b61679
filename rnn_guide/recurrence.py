"""The guide's equations, written once for every backend.

Step 1, no hidden state:  ``H = phi(X W_xh + b_h)``, ``O = H W_hq + b_q``.
Step 2, hidden state:     ``H_t = phi(X_t W_xh + H_{t-1} W_hh + b_h)``.
Step 4, concatenation:    ``X W_xh + H W_hh == concat([X, H], 1) @ concat([W_xh, W_hh], 0)``.

Every function accepts the tensors of any backend; the backend is inferred from
their type, or given with ``backend=`` (a name or a backend object, which must
then be the tensors' framework). Types, dtypes and shapes are checked before any
framework op runs, so a mistake is reported in the guide's names, not as a stack
trace: the arguments must be tensors (not Python lists) of one framework and one
floating dtype (``d2l.tensor`` makes float32).
"""

from typing import NamedTuple

import numpy as np

from . import _validation as check
from . import limits
from ._tensor_checks import tensor_args
from .backends import get_backend
from .backends.tensors import dtype_name, tensor_framework
from .cell import Cell, run_cell, sequence_terms
from .errors import ShapeError
from .refusal import refusable


class RNNParams(NamedTuple):
    """The five parameters of the guide's RNN (shapes in comments)."""

    W_xh: object  #: input-to-hidden weights, shape (num_inputs, num_hiddens)
    W_hh: object  #: hidden-to-hidden weights, shape (num_hiddens, num_hiddens), the same at every step
    b_h: object  #: hidden bias, shape (num_hiddens,)
    W_hq: object  #: hidden-to-output weights, shape (num_hiddens, num_outputs)
    b_q: object  #: output bias, shape (num_outputs,)


@refusable("rnn_guide.init_params")
def init_params(num_inputs, num_hiddens, num_outputs, framework, seed=0, sigma=0.01):
    """Draw the RNN's parameters with NumPy's seeded generator and convert them.

    Because the numbers come from ``numpy.random.default_rng(seed)`` and are then
    converted, every backend receives identical parameters and therefore
    computes identical outputs (up to float32 rounding).

    Args:
        num_inputs: size of each input vector (the vocabulary size for one-hot characters).
        num_hiddens: size of the hidden state.
        num_outputs: size of each output vector.
        framework: a backend object (``d2l``) or a framework name (taken literally).
        seed: seed of the generator, an integer in [0, 2**32 - 1].
        sigma: standard deviation of the weights, a positive finite number; biases start at zero.

    Returns:
        RNNParams(W_xh, W_hh, b_h, W_hq, b_q) as float32 tensors of that backend.

    Raises:
        RNNGuideError: a bad argument, ``num_hiddens`` above ``rnn_guide.limits.MAX_NUM_HIDDENS``,
            or parameters whose memory would exceed ``MAX_MEMORY_BYTES`` (checked before drawing).
    """
    for label, value in (
        ("num_inputs", num_inputs),
        ("num_hiddens", num_hiddens),
        ("num_outputs", num_outputs),
    ):
        check.positive_int(value, label, "init_params")
    limits.check_parameters(num_inputs, num_hiddens, num_outputs, 1, "init_params")  # before drawing
    sigma = check.positive_number(sigma, "sigma", "init_params", "the weights' standard deviation, e.g. 0.01")
    seed = check.seed(seed, "init_params")
    d2l = get_backend(framework)
    rng = np.random.default_rng(seed)

    def draw(*shape):
        return d2l.tensor(rng.normal(0.0, sigma, size=shape).astype(np.float32))

    return RNNParams(
        W_xh=draw(num_inputs, num_hiddens),
        W_hh=draw(num_hiddens, num_hiddens),
        b_h=d2l.zeros((num_hiddens,)),
        W_hq=draw(num_hiddens, num_outputs),
        b_q=d2l.zeros((num_outputs,)),
    )


@refusable("rnn_guide.mlp_hidden")
def mlp_hidden(X, W_xh, b_h, phi=None, backend=None):
    """One fully connected layer: ``phi(X W_xh + b_h)`` (Step 1).

    The same function gives the output layer ``O = H W_hq + b_q`` with
    ``phi=lambda z: z`` (or call ``output_layer``).

    Args:
        X: inputs, shape (batch_size, num_inputs).
        W_xh: weights, shape (num_inputs, num_hiddens).
        b_h: bias, shape (num_hiddens,) or (1, num_hiddens), broadcast over the batch.
        phi: activation, default ``d2l.tanh``.
        backend: the backend, inferred from the tensors when None; a name or backend object must
            be the tensors' framework.

    Returns:
        H, shape (batch_size, num_hiddens).
    """
    d2l = _backend_for("mlp_hidden", backend, {"X": X, "W_xh": W_xh, "b_h": b_h}, "W_xh")
    n, d = _matrix_shape(d2l, X, "X", "mlp_hidden")
    _expect(d2l, W_xh, (d, None), "W_xh", "mlp_hidden", f"its first dimension must equal X.shape[1] = {d}")
    h = d2l.shape(W_xh)[1]
    _expect_bias(d2l, b_h, h, "b_h", "mlp_hidden")
    phi = phi or d2l.tanh
    return phi(d2l.matmul(X, W_xh) + b_h)


@refusable("rnn_guide.output_layer")
def output_layer(H, W_hq, b_q, backend=None):
    """The output layer ``O = H W_hq + b_q`` (no activation; softmax comes in the loss)."""
    return mlp_hidden(H, W_hq, b_q, phi=lambda z: z, backend=backend)


@refusable("rnn_guide.rnn_step")
def rnn_step(X_t, H_prev, W_xh, W_hh, b_h, phi=None, backend=None):
    """One step of the recurrence: ``H_t = phi(X_t W_xh + H_{t-1} W_hh + b_h)`` (Step 2).

    Args:
        X_t: input at step t, shape (batch_size, num_inputs).
        H_prev: hidden state from step t-1, shape (batch_size, num_hiddens).
        W_xh: input-to-hidden weights, shape (num_inputs, num_hiddens).
        W_hh: hidden-to-hidden weights, shape (num_hiddens, num_hiddens).
        b_h: hidden bias, shape (num_hiddens,).
        phi: activation, default ``d2l.tanh``.

    Returns:
        H_t, shape (batch_size, num_hiddens).
    """
    tensors = {"X_t": X_t, "H_prev": H_prev, "W_xh": W_xh, "W_hh": W_hh, "b_h": b_h}
    d2l = _backend_for("rnn_step", backend, tensors, "W_xh")
    _check_step_shapes(d2l, X_t, H_prev, W_xh, W_hh, b_h, "rnn_step")
    phi = phi or d2l.tanh
    return phi(d2l.matmul(X_t, W_xh) + d2l.matmul(H_prev, W_hh) + b_h)


@refusable("rnn_guide.rnn_forward")
def rnn_forward(X, H0, W_xh, W_hh, b_h, phi=None, backend=None):
    """Run the recurrence over every time step with the same parameters.

    The loop is :func:`~rnn_guide.cell.run_cell`, the one every cell and the language model run:
    the input terms ``X_t W_xh + b_h`` of all steps are computed first, then each step adds
    ``H_{t-1} W_hh`` and applies ``phi``.

    Args:
        X: inputs, shape (num_steps, batch_size, num_inputs).
        H0: initial state, shape (batch_size, num_hiddens); None means zeros.
        W_xh: input-to-hidden weights, shape (num_inputs, num_hiddens), used at every step.
        W_hh: hidden-to-hidden weights, shape (num_hiddens, num_hiddens).
        b_h: hidden bias, shape (num_hiddens,).
        phi: activation, default ``d2l.tanh``.
        backend: as in :func:`mlp_hidden`.

    Returns:
        (H_all, H_T): all states, shape (num_steps, batch_size, num_hiddens),
        and the last one, shape (batch_size, num_hiddens).
    """
    tensors = {"X": X, "H0": H0, "W_xh": W_xh, "W_hh": W_hh, "b_h": b_h}
    d2l = _backend_for("rnn_forward", backend, tensors, "W_xh", optional=("H0",))
    shape = d2l.shape(X)
    if len(shape) != 3:
        raise ShapeError(
            f"rnn_forward: X must have shape (num_steps, batch_size, num_inputs), received shape {shape}"
        )
    num_steps, batch_size, _ = shape
    if num_steps < 1:
        raise ShapeError("rnn_forward: X must have at least one time step, received num_steps = 0")
    H = d2l.zeros((batch_size, _matrix_shape(d2l, W_hh, "W_hh", "rnn_forward")[0])) if H0 is None else H0
    _check_step_shapes(d2l, X[0], H, W_xh, W_hh, b_h, "rnn_forward")
    params = RNNParams(W_xh, W_hh, b_h, None, None)  # the output layer is not used here
    # the loop over time that every cell runs: H = phi(X_t W_xh + b_h + H W_hh) for each t
    return run_cell(d2l, RNN, params, sequence_terms(d2l, RNN, params, X), H, phi=phi)


class ConcatCheck(NamedTuple):
    """Result of :func:`concat_check`."""

    separate: np.ndarray  #: ``X W_xh + H W_hh`` as a NumPy array, shape (batch_size, num_hiddens)
    concatenated: np.ndarray  #: ``concat([X, H], 1) @ concat([W_xh, W_hh], 0)`` as NumPy, the same shape
    max_abs_diff: float  #: the largest absolute difference between the two sides
    tolerance: float  #: the rounding bound the difference is held to (derived in the docstring above)
    passed: bool  #: whether ``max_abs_diff <= tolerance``

    def __repr__(self):
        return (
            f"ConcatCheck(passed={self.passed}, max_abs_diff={self.max_abs_diff:.3g}, "
            f"tolerance={self.tolerance:.3g}, shape={self.separate.shape})"
        )


@refusable("rnn_guide.concat_check")
def concat_check(X, H, W_xh, W_hh, backend=None):
    """Check that two matmuls equal one matmul on concatenated matrices (Step 4).

    ``X W_xh + H W_hh`` and ``concat([X, H], axis=1) @ concat([W_xh, W_hh], axis=0)``
    are the same sum of ``d + h`` products per entry, added in a different order.
    In floating point they may differ by rounding only. The standard bound for a
    dot product of length ``n`` computed in precision ``eps`` is about
    ``n * eps * sum(|x_k| |w_k|)``; the tolerance used here is
    ``(d + h + 1) * eps * max(|X| |W_xh| + |H| |W_hh|)``, with ``eps`` of the
    tensors' dtype (1.19e-7 for float32). A fixed threshold such as ``1e-6``
    fails now and then for large or unlucky draws even though nothing is wrong.

    Args:
        X: inputs, shape (batch_size, num_inputs).
        H: hidden state, shape (batch_size, num_hiddens).
        W_xh: input-to-hidden weights, shape (num_inputs, num_hiddens).
        W_hh: hidden-to-hidden weights, shape (num_hiddens, num_hiddens). All four tensors of
            one framework and one floating dtype (integers have no rounding to bound).
        backend: as in :func:`mlp_hidden`.

    Returns:
        ConcatCheck with ``separate``, ``concatenated``, ``max_abs_diff``,
        ``tolerance`` and ``passed``.
    """
    d2l = _backend_for("concat_check", backend, {"X": X, "H": H, "W_xh": W_xh, "W_hh": W_hh}, "W_xh")
    n, d = _matrix_shape(d2l, X, "X", "concat_check")
    h = _matrix_shape(d2l, W_hh, "W_hh", "concat_check")[0]
    _expect(d2l, W_xh, (d, h), "W_xh", "concat_check", "(X.shape[1], num_hiddens)")
    _expect(d2l, W_hh, (h, h), "W_hh", "concat_check", "(num_hiddens, num_hiddens)")
    _expect(d2l, H, (n, h), "H", "concat_check", "(X.shape[0], num_hiddens)")
    separate = d2l.numpy(d2l.matmul(X, W_xh) + d2l.matmul(H, W_hh))
    concatenated = d2l.numpy(d2l.matmul(d2l.concat((X, H), 1), d2l.concat((W_xh, W_hh), 0)))
    x, hh, wx, wh = (np.abs(d2l.numpy(t)).astype(np.float64) for t in (X, H, W_xh, W_hh))
    eps = float(np.finfo(separate.dtype).eps)
    scale = float(np.max(x @ wx + hh @ wh)) if separate.size else 0.0
    tolerance = (d + h + 1) * eps * scale
    diff = float(np.max(np.abs(separate.astype(np.float64) - concatenated))) if separate.size else 0.0
    return ConcatCheck(separate, concatenated, diff, tolerance, bool(diff <= tolerance))


# ------------------------------------------------------------ argument checks
def _backend_for(where, backend, tensors, weights, optional=()):
    """Check the tensor arguments (tensors, one framework, one floating dtype); return their backend."""
    name = tensor_args(where, tensors, tensor_framework, dtype_name, backend, weights, optional)
    return get_backend(name if backend is None or isinstance(backend, str) else backend)


def _matrix_shape(d2l, x, label, where):
    shape = d2l.shape(x)
    if len(shape) != 2:
        raise ShapeError(f"{where}: {label} must be a matrix (2 dimensions), received shape {shape}")
    return shape


def _expect(d2l, x, expected, label, where, meaning):
    shape = d2l.shape(x)
    if len(shape) != len(expected) or any(e is not None and e != s for e, s in zip(expected, shape)):
        shown = tuple("*" if e is None else e for e in expected)
        raise ShapeError(f"{where}: {label} has shape {shape}, expected {shown} ({meaning})")


def _expect_bias(d2l, b, h, label, where):
    shape = d2l.shape(b)
    if shape not in ((h,), (1, h)):
        raise ShapeError(
            f"{where}: {label} has shape {shape}, expected ({h},) or (1, {h}) to match num_hiddens = {h}"
        )


def _check_step_shapes(d2l, X_t, H_prev, W_xh, W_hh, b_h, where):
    n, d = _matrix_shape(d2l, X_t, "X_t", where)
    h = _matrix_shape(d2l, W_hh, "W_hh", where)[0]
    _expect(d2l, W_hh, (h, h), "W_hh", where, "(num_hiddens, num_hiddens)")
    _expect(d2l, W_xh, (d, h), "W_xh", where, f"(num_inputs, num_hiddens) = ({d}, {h}) from X_t and W_hh")
    _expect(d2l, H_prev, (n, h), "H_prev", where, f"(batch_size, num_hiddens) = ({n}, {h})")
    _expect_bias(d2l, b_h, h, "b_h", where)


# ------------------------------------------------------------ the RNN as a Cell
def rnn_cell(d2l, inputs_t, H, W_h, phi=None):
    """The RNN's step as :func:`~rnn_guide.cell.run_cell` calls it: ``phi(X_t W_xh + b_h + H W_hh)``,
    with the input term ``X_t W_xh + b_h`` computed before the loop."""
    (X_h,), (W_hh,) = inputs_t, W_h
    return (phi or d2l.tanh)(X_h + d2l.matmul(H, W_hh))


#: the tanh RNN; its loop over time is compiled with 32 steps per pass (``Cell.unroll``)
RNN = Cell(
    name="rnn", params=RNNParams, init=init_params, groups=("h",), step=rnn_cell, has_memory=False, unroll=32
)
