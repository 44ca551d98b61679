"""The gradient experiments of the guide (Step 6): vanishing, exploding, clipping, truncation.

Backpropagation through time multiplies the gradient by ``diag(1 - H_t^2) W_hh^T`` at
every step back; over ``k`` steps these products decide whether gradients vanish or
explode. :func:`gradient_norms` measures that on every backend, :func:`init_model` and
:func:`window_gradient_norms` compare starting values of ``W_hh``, and
:func:`clipping_experiment` and :func:`truncation_experiment` show what clipping and
truncated BPTT do in training.

The hand-written BPTT and the gradient checks live in :mod:`rnn_guide.bptt`; both
experiments train with :func:`rnn_guide.training.train`, the loop every model uses.
"""

import math
from dataclasses import dataclass

import numpy as np

from . import _validation as check
from .backends import get_backend
from .cell import perturbed, run_cell
from .errors import RNNGuideError, ShapeError
from .language_model import RNNLM
from .recurrence import RNN, RNNParams
from .training import History, TrainingDivergedError, check_data, train


# ------------------------------------------ vanishing and exploding gradients
def recurrent_weights(num_hiddens, radius, seed=0):
    """A float32 ``W_hh`` with spectral radius ``radius`` (largest ``|eigenvalue|``).

    A seeded Gaussian matrix, rescaled by its spectral radius: the same on every backend.
    """
    check.positive_int(num_hiddens, "num_hiddens", "recurrent_weights")
    _check_radius("recurrent_weights", radius)
    seed = check.seed(seed, "recurrent_weights")
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, 1.0 / math.sqrt(num_hiddens), size=(num_hiddens, num_hiddens))
    return (W * (radius / np.max(np.abs(np.linalg.eigvals(W))))).astype(np.float32)


def state_jacobians(d2l, W_hh, inputs):
    """``J[t] = dH_T/dH_t`` for ``H_t = tanh(A_t + H_{t-1} W_hh)``, ``H_0 = 0``, t = 0..T.

    Args:
        W_hh: NumPy array (num_hiddens, num_hiddens).
        inputs: NumPy array (T, num_hiddens): the input drive ``A_t = X_t W_xh + b_h`` of each step.

    Returns:
        NumPy array (T + 1, num_hiddens, num_hiddens); ``J[t][i, j] = dH_T[i] / dH_t[j]``.
        NumPy multiplies the Jacobians ``diag(1 - H_t^2) W_hh^T`` by hand; the frameworks
        use autograd, running ``num_hiddens`` copies of the sequence in one batch: copy
        ``i`` is scored by ``H_T[i]``, so the gradient reaching its ``H_t`` is row ``i`` of ``J[t]``.
    """
    d2l = get_backend(d2l)
    W = check.numeric_array(W_hh, "W_hh", "state_jacobians")
    A = check.numeric_array(inputs, "inputs", "state_jacobians", W.dtype)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or A.ndim != 2 or A.shape[1] != W.shape[0]:
        raise ShapeError(
            f"state_jacobians: W_hh must have shape (num_hiddens, num_hiddens) and inputs (T, num_hiddens), "
            f"received {W.shape} and {A.shape}"
        )
    T, h = len(A), W.shape[0]
    if d2l.name == "numpy":
        H = [np.zeros(h, W.dtype)]
        for t in range(T):
            H.append(np.tanh(A[t] + H[t] @ W))
        J = np.empty((T + 1, h, h), W.dtype)
        J[T] = np.eye(h)
        with np.errstate(over="ignore", invalid="ignore"):  # an exploding product may overflow: inf
            for t in range(T, 0, -1):
                J[t - 1] = (
                    J[t] * (1.0 - H[t] ** 2)
                ) @ W.T  # dH_T/dH_{t-1} = dH_T/dH_t diag(1 - H_t^2) W_hh^T
        return J
    eye = d2l.tensor(np.eye(h, dtype=W.dtype), dtype=W.dtype)

    def score(leaves, A, W):  # leaves: H_0 and a zero added to every later state, (h, h) each
        params = RNNParams(None, W, None, None, None)  # only W_hh: the input terms are A
        inputs = (A, d2l.stack(leaves[1:], 0))  # A_t for each of the h copies, (T, h, h)
        _, H = run_cell(d2l, perturbed(RNN), params, inputs, leaves[0])  # the loop every cell runs
        return d2l.reduce_sum(H * eye), H  # copy i scores H_T[i]

    zeros = tuple(d2l.tensor(np.zeros((h, h), W.dtype), dtype=W.dtype) for _ in range(T + 1))
    A = d2l.tensor(np.ascontiguousarray(np.broadcast_to(A[:, None, :], (T, h, h))), dtype=W.dtype)
    _, _, grads = d2l.value_and_grad(score)(zeros, A, d2l.tensor(W, dtype=W.dtype))
    return np.stack([d2l.numpy(g) for g in grads])


def gradient_norms(d2l, num_steps, radius, num_hiddens=32, input_scale=0.0, seed=0):
    """How much of a change in ``H_t`` reaches ``H_T``: ``||dH_T/dH_t||`` against the distance ``T - t``.

    Args:
        d2l: the backend (or its name).
        num_steps: T, the sequence length (the largest distance measured).
        radius: spectral radius of ``W_hh`` (below 1: vanishing, above 1: exploding).
        num_hiddens: size of the state.
        input_scale: standard deviation of the input drive ``X_t W_xh + b_h``. With 0 the
            state stays at 0 where ``tanh' = 1``, and ``dH_T/dH_t = (W_hh^T)^(T-t)``
            exactly; large values push tanh into saturation.
        seed: seed of ``W_hh`` and the inputs (NumPy's generator: the same on every backend).

    Returns:
        NumPy array (num_steps + 1,): ``norms[k]`` is the spectral norm (largest
        singular value) of ``dH_T/dH_{T-k}``; ``norms[0] = 1``. Computed in float32,
        so values below about 1e-38 underflow to 0 and values above about 1e38 are inf.
    """
    check.positive_int(num_steps, "num_steps", "gradient_norms")
    check.positive_int(num_hiddens, "num_hiddens", "gradient_norms")
    _check_radius("gradient_norms", radius)
    check.non_negative_number(input_scale, "input_scale", "gradient_norms")
    seed = check.seed(seed, "gradient_norms")
    W_hh = recurrent_weights(num_hiddens, radius, seed)
    inputs = np.random.default_rng(seed + 1).normal(0.0, input_scale, size=(num_steps, num_hiddens))
    return _norms_by_distance(d2l, W_hh, inputs.astype(np.float32))


def _norms_by_distance(d2l, W_hh, inputs):
    """``norms[k]`` = spectral norm of ``dH_T/dH_{T-k}``, k = 0..T, T = len(inputs)."""
    J = state_jacobians(d2l, W_hh, inputs)
    return np.array([spectral_norm(J[len(inputs) - k]) for k in range(len(inputs) + 1)])


def spectral_norm(J):
    """Largest singular value of the matrix ``J`` (in float64); inf once float32 has overflowed
    (an exploding product can)."""
    J = J.astype(np.float64)
    return float(np.linalg.norm(J, 2)) if np.all(np.isfinite(J)) else math.inf


# ------------------------------------------------- initialising W_hh as a remedy
W_HH_INITS = ("default", "orthogonal", "identity")


def init_model(d2l, vocab, init="default", num_hiddens=32, seed=0):
    """An :class:`~rnn_guide.language_model.RNNLM` whose ``W_hh`` starts as ``init``.

    ``'default'`` keeps what ``RNNLM(vocab, num_hiddens, seed=seed)`` draws (Gaussian, std
    0.01: spectral radius about ``0.01 * sqrt(num_hiddens)``); ``'orthogonal'`` is the Q of
    the QR decomposition of a seeded Gaussian matrix (every singular value 1); ``'identity'``
    copies the state forward (``H_t = tanh(X_t W_xh + H_{t-1} + b_h)``). The other four
    parameters are the default ones in every case, and every backend gets the same numbers.
    """
    d2l = get_backend(d2l)
    check.one_of(init, "init", W_HH_INITS, "init_model")
    check.positive_int(num_hiddens, "num_hiddens", "init_model")
    seed = check.seed(seed, "init_model")
    model = RNNLM(vocab, num_hiddens, d2l, seed=seed)
    if init == "orthogonal":
        Q, R = np.linalg.qr(np.random.default_rng(seed).normal(size=(num_hiddens, num_hiddens)))
        W = Q * np.sign(np.diag(R))  # the signs make Q unique (and uniformly distributed)
    elif init == "identity":
        W = np.eye(num_hiddens)
    if init != "default":
        model.params = model.params._replace(W_hh=d2l.tensor(W.astype(np.float32)))
    return model


def window_gradient_norms(model, text):
    """``||dH_T/dH_t||`` against the distance ``T - t`` while ``model`` reads ``text``.

    The same measurement as :func:`gradient_norms`, on the model's own ``W_hh`` and the input
    drive ``A_t = X_t W_xh + b_h`` of the characters of ``text`` (T = ``len(text)``),
    from a zero state. Returns a NumPy array (T + 1,) with ``norms[0] = 1``.
    """
    if not isinstance(text, str) or not text:
        raise RNNGuideError(f"window_gradient_norms: text must be a non-empty str, received {text!r:.40}")
    d2l, p, ids = model.d2l, model.params, np.asarray(model.vocab.encode(text))
    inputs = d2l.numpy(p.W_xh)[ids] + d2l.numpy(p.b_h)  # one-hot X_t times W_xh: a row of W_xh
    return _norms_by_distance(d2l, d2l.numpy(p.W_hh), inputs.astype(np.float32))


# --------------------------------------------------------------- clipping
@dataclass
class ClippingRun:
    """One training run of :func:`clipping_experiment`."""

    clip: object  #: the clipping threshold, or None for the run without clipping
    history: History  #: the run's per-epoch perplexities and seconds
    vocab_size: int  #: the vocabulary size V, the perplexity of a uniform guess
    stopped_in_epoch: object = None  #: the epoch where the loss became NaN or inf, or None
    message: str = ""  #: the TrainingDivergedError message when the run stopped, else empty

    @property
    def label(self):
        """The run's name in the plot's legend, ``'no clipping'`` or ``'clip = 1'``."""
        return "no clipping" if self.clip is None else f"clip = {self.clip:g}"

    @property
    def final_perplexity(self):
        """The last validation perplexity (inf when training stopped on NaN/inf)."""
        if self.stopped_in_epoch is not None or not self.history.val_perplexity:
            return math.inf
        return self.history.val_perplexity[-1]

    @property
    def diverged(self):
        """Stopped on NaN/inf, or ended worse than guessing uniformly (perplexity > vocab size)."""
        return not self.final_perplexity <= self.vocab_size


def clipping_experiment(d2l, data, lr=10.0, clip=0.1, epochs=8, num_hiddens=32, seed=0):
    """Train the same model twice with a large learning rate: without and with gradient clipping.

    Clipping scales the gradient ``g`` to ``min(1, clip / ||g||) g``, so one SGD step
    moves the parameters by at most ``lr * clip``.

    Args:
        data: a :class:`~rnn_guide.data.TimeMachine` (random minibatches).

    Returns:
        ``[without, with]``: two :class:`ClippingRun`.

    Raises:
        TrainingDivergedError: the run *with* clipping diverged too (the learning rate is too large
            for the experiment to show anything); the run without clipping may diverge.
    """
    d2l = get_backend(d2l)
    check_data(data, "clipping_experiment")
    clip = check.clip_threshold(clip, "clip", "clipping_experiment")
    _check_run("clipping_experiment", lr, epochs, num_hiddens, seed)
    runs = []
    model = RNNLM(data.vocab, num_hiddens, d2l, seed=seed)
    try:  # without clipping the run may blow up: that is what the experiment shows
        history = train(model, data, epochs, lr, None, "random", seed, progress=False)
        runs.append(ClippingRun(None, history, len(data.vocab)))
    except TrainingDivergedError as err:
        stopped = err.history.epochs + 1
        runs.append(ClippingRun(None, err.history, len(data.vocab), stopped, str(err)))
    # with clipping it must train; if even that diverges, the error reaches the caller
    model = RNNLM(data.vocab, num_hiddens, d2l, seed=seed)
    history = train(model, data, epochs, lr, clip, "random", seed, progress=False)
    runs.append(ClippingRun(clip, history, len(data.vocab)))
    return runs


# ------------------------------------------------ truncated versus full BPTT
@dataclass
class TruncationRun:
    """One training run of :func:`truncation_experiment`."""

    mode: str  #: ``'truncated'`` or ``'full'``
    history: History  #: per-epoch perplexities and seconds (training only)
    backprop_steps: list  #: per epoch, the time steps that gradients were sent back through
    batches: list  #: per epoch, the number of minibatches


def truncation_experiment(d2l, data, epochs=4, lr=1.0, clip=1.0, num_hiddens=32, seed=0):
    """Train on sequential minibatches with truncated and with full BPTT; same model, same batches.

    Truncated: the state carried into a batch is a constant (stop-gradient), so each
    gradient covers ``num_steps`` steps. Full: the gradient of each batch's loss goes
    back through every earlier batch of the epoch (:func:`~rnn_guide.bptt.full_bptt_fn`), so batch ``k``
    costs ``k`` times as much. Both run uncompiled (eager), so the times compare the
    work done, not a compiler.

    Args:
        data: a :class:`~rnn_guide.data.TimeMachine`; its sequential minibatches are used.

    Returns:
        ``{'truncated': TruncationRun, 'full': TruncationRun}``.
    """
    d2l = get_backend(d2l)
    check_data(data, "truncation_experiment")
    clip = None if clip is None else check.clip_threshold(clip, "clip", "truncation_experiment")
    _check_run("truncation_experiment", lr, epochs, num_hiddens, seed)
    return {
        mode: _train_sequential(d2l, data, mode, epochs, lr, clip, num_hiddens, seed)
        for mode in ("truncated", "full")
    }


def _train_sequential(d2l, data, mode, epochs, lr, clip, num_hiddens, seed):
    model = RNNLM(data.vocab, num_hiddens, d2l, seed=seed)
    history = train(model, data, epochs, lr, clip, "sequential", seed, False, bptt=mode, compiled=False)
    # batch k of an epoch: full BPTT sends its gradient back through k * num_steps steps
    steps = [data.num_steps * (k * (k + 1) // 2 if mode == "full" else k) for k in history.batches]
    return TruncationRun(mode, history, steps, list(history.batches))


# ------------------------------------------------------------------ checks
def _check_run(where, lr, epochs, num_hiddens, seed):
    """The settings both training experiments share, checked before the first run."""
    check.positive_number(lr, "lr", where, "a learning rate such as 1")
    check.positive_int(epochs, "epochs", where)
    check.positive_int(num_hiddens, "num_hiddens", where)
    check.seed(seed, where)


def _check_radius(where, radius):
    return check.positive_number(radius, "radius", where, "the spectral radius of W_hh, e.g. 0.9, 1.0 or 1.1")
