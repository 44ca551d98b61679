"""Backpropagation through time by hand, in NumPy, and the gradient experiments of the guide (Step 6).

For the character model (see :mod:`rnn_guide.language_model`), with
``Z_t = X_t W_xh + H_{t-1} W_hh + b_h``, ``H_t = tanh(Z_t)``, ``O_t = H_t W_hq + b_q``
and ``L`` the mean cross-entropy over all ``n = num_steps * batch_size`` predictions:

    dL/dO_t      = (softmax(O_t) - onehot(Y_t)) / n
    dL/dW_hq     = sum_t H_t^T dO_t                 dL/db_q = sum_t dO_t
    dH_t         = dO_t W_hq^T + dH_next            (dH_next: what step t+1 sends back)
    dZ_t         = dH_t * (1 - H_t^2)               (tanh' = 1 - tanh^2)
    dL/dW_xh    += onehot(X_t)^T dZ_t               dL/dW_hh += H_{t-1}^T dZ_t
    dL/db_h     += sum_batch dZ_t                   dH_next = dZ_t W_hh^T

The loop runs backwards over time. ``dH_next`` after the last iteration is
``dL/dH_0``; with truncated BPTT the carried-in ``H_0`` is a constant, so that
gradient is simply not used. Full BPTT (:func:`bptt_full`) sends it on, back
through every earlier batch of the stream.

Each backward step multiplies by ``diag(1 - H_t^2) W_hh^T``; over ``k`` steps these
products decide whether gradients vanish or explode. The experiments below measure
that on every backend (:func:`gradient_norms`), and show what clipping
(:func:`clipping_experiment`) and truncation (:func:`truncation_experiment`) do.
"""

import math
import time
from dataclasses import dataclass

import numpy as np

from .backends import backend_of, get_backend
from .backends.base import rebuild
from .errors import RNNGuideError
from .language_model import RNNLM, History, TrainingDivergedError, loss_and_state, train, value_and_grad_fn
from .recurrence import RNNParams


# ------------------------------------------------------------ BPTT by hand
def _log_softmax(O):
    shifted = O - O.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _states(W_xh, W_hh, b_h, X, H0):
    """``[H_0, H_1, ..., H_T]`` for character indices X of shape (T, batch_size)."""
    H = [np.asarray(H0, dtype=W_hh.dtype)]
    for t in range(len(X)):
        H.append(np.tanh(W_xh[X[t]] + H[t] @ W_hh + b_h))  # (batch_size, num_hiddens)
    return H


def _back_through_time(W_xh, W_hh, b_h, X, H, dH_out, dH_next):
    """Send gradients back through the recurrence.

    ``dH_out[t]``: what ``H_{t+1}`` receives from its own output (None: no outputs);
    ``dH_next``: the gradient arriving at the last state from later on.
    Returns ``dW_xh, dW_hh, db_h`` and ``dH`` of shape (T + 1, batch_size, num_hiddens).
    """
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b_h)
    dH = np.zeros((len(X) + 1,) + H[0].shape, dtype=W_hh.dtype)
    for t in reversed(range(len(X))):
        dH[t + 1] = dH_next if dH_out is None else dH_out[t] + dH_next
        dZ = dH[t + 1] * (1.0 - H[t + 1] ** 2)
        np.add.at(dW_xh, X[t], dZ)  # onehot(X_t)^T dZ: add each row of dZ to its character's row
        dW_hh += H[t].T @ dZ
        db_h += dZ.sum(axis=0)
        dH_next = dZ @ W_hh.T
    dH[0] = dH_next
    return dW_xh, dW_hh, db_h, dH


def bptt(params, X, Y, H0):
    """Loss, last state, parameter gradients and ``dL/dH_t`` for every t, by hand.

    Args:
        params: RNNParams of NumPy arrays (float32 or float64).
        X, Y: int arrays of shape (num_steps, batch_size): inputs and targets, time-major.
        H0: the initial state, shape (batch_size, num_hiddens).

    Returns:
        (loss, H_T, grads, dH): ``grads`` is an RNNParams of gradients; ``dH`` has
        shape (num_steps + 1, batch_size, num_hiddens) with ``dH[t] = dL/dH_t``
        (``dH[0]`` is the gradient reaching the initial state).
    """
    W_xh, W_hh, b_h, W_hq, b_q = params
    X, Y = np.asarray(X), np.asarray(Y)
    T, B = X.shape
    H = _states(W_xh, W_hh, b_h, X, H0)  # every state is kept for the backward pass
    H_all = np.concatenate(H[1:], axis=0)  # (T * batch_size, num_hiddens)
    O = H_all @ W_hq + b_q  # (T * batch_size, vocab_size)
    n, rows, y = T * B, np.arange(T * B), Y.reshape(-1)
    log_p = _log_softmax(O)
    loss = -log_p[rows, y].mean()
    # backward: output layer
    dO = np.exp(log_p)
    dO[rows, y] -= 1.0
    dO /= n
    dW_hq, db_q = H_all.T @ dO, dO.sum(axis=0)
    dH_out = (dO @ W_hq.T).reshape(T, B, -1)  # what each H_t gets from its own output
    # backward through time
    dW_xh, dW_hh, db_h, dH = _back_through_time(W_xh, W_hh, b_h, X, H, dH_out, np.zeros_like(H[0]))
    return loss, H[-1], RNNParams(dW_xh, dW_hh, db_h, dW_hq, db_q), dH


def bptt_value_and_grad(params, X, Y, H0):
    """``(loss, H_T, grads)``: the same contract as a backend's ``value_and_grad``."""
    loss, H_T, grads, _ = bptt(params, X, Y, H0)
    return loss, H_T, grads


def bptt_full(params, X_past, X, Y, H0):
    """Full BPTT: the loss of the batch (X, Y), differentiated back through all earlier inputs.

    The state entering the batch is computed from ``H0`` over ``X_past`` (the
    earlier batches of the same streams, shape (P, batch_size)), and the
    gradient flows back through those ``P`` steps too. ``P = 0`` is :func:`bptt`.

    Returns:
        (loss, H_T, grads, dH) with ``dH`` of shape (P + num_steps + 1, batch_size, num_hiddens).
    """
    W_xh, W_hh, b_h = params[:3]
    X_past = np.asarray(X_past).reshape(-1, np.shape(X)[1])
    H_past = _states(W_xh, W_hh, b_h, X_past, H0)
    loss, H_T, g, dH = bptt(params, X, Y, H_past[-1])
    dW_xh, dW_hh, db_h, dH_past = _back_through_time(W_xh, W_hh, b_h, X_past, H_past, None, dH[0])
    grads = RNNParams(g.W_xh + dW_xh, g.W_hh + dW_hh, g.b_h + db_h, g.W_hq, g.b_q)
    return loss, H_T, grads, np.concatenate([dH_past[:-1], dH])


def full_bptt_fn(d2l):
    """``g(params, X_past, X, Y, H0) -> (loss, H_T, grads)``: :func:`bptt_full` by the framework's autograd.

    ``X_past`` is None or a tensor of shape (P, batch_size); no stop-gradient
    anywhere, so the gradient reaches back to ``H0``. NumPy: the hand-written one.
    """
    d2l = get_backend(d2l)
    if d2l.name == "numpy":
        return lambda params, X_past, X, Y, H0: bptt_full(params, [] if X_past is None else X_past, X, Y, H0)[
            :3
        ]

    def loss_through_history(params, X_past, X, Y, H):
        W_xh, W_hh, b_h = params[:3]
        for t in range(0 if X_past is None else d2l.shape(X_past)[0]):
            H = d2l.tanh(d2l.take_rows(W_xh, X_past[t]) + d2l.matmul(H, W_hh) + b_h)
        return loss_and_state(d2l, params, X, Y, H)

    return d2l.value_and_grad(loss_through_history)


# ---------------------------------------------------------- gradient checks
def numerical_gradients(loss_fn, arrays, eps=1e-6):
    """Central finite differences ``(f(x + eps) - f(x - eps)) / (2 eps)``, one entry at a time.

    Args:
        loss_fn: ``f(*arrays) -> float``.
        arrays: NumPy arrays (use float64: in float32 the differences are mostly rounding).

    Returns:
        A list of arrays shaped like ``arrays``.
    """
    arrays = [np.array(a, copy=True) for a in arrays]
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            keep = a[i]
            a[i] = keep + eps
            up = float(loss_fn(*arrays))
            a[i] = keep - eps
            down = float(loss_fn(*arrays))
            a[i] = keep
            g[i] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def relative_error(a, b):
    """``||a - b|| / ||b||`` (0 when both are 0): one number per gradient."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale else float(np.linalg.norm(a))


def _as_numpy(arrays, dtype=None):
    """Tensors of any backend (or NumPy arrays) as NumPy arrays."""
    out = []
    for a in arrays:
        a = a if isinstance(a, np.ndarray) else backend_of(a).numpy(a)
        out.append(np.asarray(a) if dtype is None else np.asarray(a, dtype))
    return out


def bptt_vs_finite_differences(params, X, Y, H0, eps=1e-6):
    """Hand-written BPTT against central differences (:func:`numerical_gradients`), both in float64.

    Args:
        params: RNNParams (tensors of any backend, or NumPy arrays).
        X, Y: int arrays (num_steps, batch_size); H0: (batch_size, num_hiddens).

    Returns:
        dict name -> relative error for the five parameters and ``'H0'``.
    """
    *params, H0 = _as_numpy((*params, H0), np.float64)
    X, Y = _as_numpy((X, Y))
    _, _, grads, dH = bptt(RNNParams(*params), X, Y, H0)
    numeric = numerical_gradients(lambda *a: bptt(RNNParams(*a[:5]), X, Y, a[5])[0], [*params, H0], eps)
    return {
        name: relative_error(a, b) for name, a, b in zip((*RNNParams._fields, "H0"), (*grads, dH[0]), numeric)
    }


def autograd_vs_bptt(d2l, params, X, Y, H0):
    """Compare the framework's autograd with the hand-written BPTT on the same numbers.

    Args:
        d2l: the backend whose autograd is checked.
        params: RNNParams (tensors of any backend, or NumPy arrays); their dtype
            (float32 or float64) is used on both sides.
        X, Y: int arrays (num_steps, batch_size); H0: (batch_size, num_hiddens).

    Returns:
        dict name -> relative error (:func:`relative_error`) for ``'loss'``, the five
        parameters and ``'H0'`` (the gradient reaching the initial state). NumPy has
        no autograd: there the hand-written gradients are compared with central
        differences instead (:func:`bptt_vs_finite_differences`).
    """
    d2l = get_backend(d2l)
    params = RNNParams(*_as_numpy(params))
    dtype = params.W_hh.dtype
    (H0,) = _as_numpy([H0], dtype)
    X, Y = _as_numpy((X, Y))
    if d2l.name == "numpy":
        return {"loss": 0.0, **bptt_vs_finite_differences(params, X, Y, H0)}
    loss, _, grads, dH = bptt(params, X, Y, H0)

    def objective(leaves, X, Y):  # H0 is a leaf too, so its gradient comes out
        return loss_and_state(d2l, RNNParams(*leaves[:5]), X, Y, leaves[5])

    leaves = tuple(d2l.tensor(a, dtype=dtype) for a in (*params, H0))
    auto_loss, _, auto = d2l.value_and_grad(objective)(leaves, d2l.tensor(X), d2l.tensor(Y))
    errors = {"loss": relative_error(d2l.numpy(auto_loss), loss)}
    for name, a, b in zip((*RNNParams._fields, "H0"), auto, (*grads, dH[0])):
        errors[name] = relative_error(d2l.numpy(a), b)
    return errors


# ------------------------------------------ vanishing and exploding gradients
def recurrent_weights(num_hiddens, radius, seed=0):
    """A float32 ``W_hh`` with spectral radius ``radius`` (largest |eigenvalue|).

    A seeded Gaussian matrix, rescaled by its spectral radius: the same on every backend.
    """
    _check_count("recurrent_weights", "num_hiddens", num_hiddens)
    _check_positive(
        "recurrent_weights", "radius", radius, "the spectral radius of W_hh, e.g. 0.9, 1.0 or 1.1"
    )
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
    W, A = np.asarray(W_hh), np.asarray(inputs, dtype=np.asarray(W_hh).dtype)
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
        H = leaves[0]
        for t in range(T):
            H = d2l.tanh(A[t] + d2l.matmul(H, W)) + leaves[t + 1]
        return d2l.reduce_sum(H * eye), H  # copy i scores H_T[i]

    zeros = tuple(d2l.tensor(np.zeros((h, h), W.dtype), dtype=W.dtype) for _ in range(T + 1))
    _, _, grads = d2l.value_and_grad(score)(zeros, d2l.tensor(A, dtype=W.dtype), d2l.tensor(W, dtype=W.dtype))
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
    _check_count("gradient_norms", "num_steps", num_steps)
    _check_count("gradient_norms", "num_hiddens", num_hiddens)
    _check_positive("gradient_norms", "radius", radius, "the spectral radius of W_hh, e.g. 0.9, 1.0 or 1.1")
    if not (_is_number(input_scale) and 0 <= input_scale < math.inf):
        raise RNNGuideError(f"gradient_norms: input_scale must be a number >= 0, received {input_scale!r}")
    W_hh = recurrent_weights(num_hiddens, radius, seed)
    inputs = np.random.default_rng(seed + 1).normal(0.0, input_scale, size=(num_steps, num_hiddens))
    J = state_jacobians(d2l, W_hh, inputs.astype(np.float32))
    return np.array([_spectral_norm(J[num_steps - k]) for k in range(num_steps + 1)])


def _spectral_norm(J):
    """Largest singular value; inf once float32 has overflowed (an exploding product can)."""
    J = J.astype(np.float64)
    return float(np.linalg.norm(J, 2)) if np.all(np.isfinite(J)) else math.inf


# --------------------------------------------------------------- clipping
@dataclass
class ClippingRun:
    """One training run of :func:`clipping_experiment`."""

    clip: object  # the threshold, or None
    history: History
    vocab_size: int
    stopped_in_epoch: object = None  # the epoch where the loss became NaN/inf, or None
    message: str = ""  # the TrainingDivergedError message, if any

    @property
    def label(self):
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
    """
    d2l = get_backend(d2l)
    _check_data("clipping_experiment", data)
    _check_positive("clipping_experiment", "lr", lr, "a learning rate such as 10")
    _check_positive("clipping_experiment", "clip", clip, "a threshold such as 0.1")
    _check_count("clipping_experiment", "epochs", epochs)
    runs = []
    for threshold in (None, clip):
        model = RNNLM(data.vocab, num_hiddens, d2l, seed=seed)
        try:
            history = train(model, data, epochs, lr, threshold, "random", seed, progress=False)
            runs.append(ClippingRun(threshold, history, len(data.vocab)))
        except TrainingDivergedError as err:
            stopped = err.history.epochs + 1
            runs.append(ClippingRun(threshold, err.history, len(data.vocab), stopped, str(err)))
    return runs


# ------------------------------------------------ truncated versus full BPTT
@dataclass
class TruncationRun:
    """One training run of :func:`truncation_experiment`."""

    mode: str  # 'truncated' or 'full'
    history: History  # per-epoch perplexities and seconds (training only)
    backprop_steps: list  # per epoch: time steps that gradients were sent back through
    batches: list  # per epoch: number of minibatches


def truncation_experiment(d2l, data, epochs=4, lr=1.0, clip=1.0, num_hiddens=32, seed=0):
    """Train on sequential minibatches with truncated and with full BPTT; same model, same batches.

    Truncated: the state carried into a batch is a constant (stop-gradient), so each
    gradient covers ``num_steps`` steps. Full: the gradient of each batch's loss goes
    back through every earlier batch of the epoch (:func:`full_bptt_fn`), so batch ``k``
    costs ``k`` times as much. Both run uncompiled (eager), so the times compare the
    work done, not a compiler.

    Args:
        data: a :class:`~rnn_guide.data.TimeMachine`; its sequential minibatches are used.

    Returns:
        ``{'truncated': TruncationRun, 'full': TruncationRun}``.
    """
    d2l = get_backend(d2l)
    _check_data("truncation_experiment", data)
    _check_count("truncation_experiment", "epochs", epochs)
    _check_positive("truncation_experiment", "lr", lr, "a learning rate such as 1")
    if clip is not None:
        _check_positive("truncation_experiment", "clip", clip, "a threshold such as 1, or None")
    return {
        mode: _train_sequential(d2l, data, mode, epochs, lr, clip, num_hiddens, seed)
        for mode in ("truncated", "full")
    }


def _train_sequential(d2l, data, mode, epochs, lr, clip, num_hiddens, seed):
    grad_fn = value_and_grad_fn(d2l) if mode == "truncated" else full_bptt_fn(d2l)
    model, rng = RNNLM(data.vocab, num_hiddens, d2l, seed=seed), np.random.default_rng(seed)
    run = TruncationRun(mode, History(), [], [])
    for epoch in range(1, epochs + 1):
        start, total, count, H, past, k = time.perf_counter(), 0.0, 0, None, [], 0
        for X, Y in data.train_batches(rng, "sequential"):
            k += 1  # batch k of the epoch: full BPTT sends its gradient back through k * num_steps steps
            H0 = model.begin_state(X.shape[0])
            Xt, Yt = d2l.tensor(X.T), d2l.tensor(Y.T)
            if mode == "truncated":  # the carried state enters as a constant
                loss, H, grads = grad_fn(model.params, Xt, Yt, d2l.stop_gradient(H0 if H is None else H))
            else:  # recomputed from the start of the epoch, the gradient goes all the way back
                X_past = d2l.tensor(np.concatenate(past, axis=1).T) if past else None
                loss, _, grads = grad_fn(model.params, X_past, Xt, Yt, H0)
                past.append(X)
            value = float(d2l.numpy(loss))
            if not math.isfinite(value):
                raise TrainingDivergedError(
                    f"{mode} BPTT: the training loss became {value} in epoch {epoch} (lr={lr}, "
                    f"clip={clip}). Use gradient clipping or a smaller learning rate.",
                    run.history,
                )
            if clip is not None:
                grads, _ = d2l.clip_by_global_norm(list(grads), clip)
            model.params = rebuild(model.params, [p - lr * g for p, g in zip(model.params, grads)])
            total, count = total + value * X.size, count + X.size
        run.history.seconds.append(time.perf_counter() - start)
        run.batches.append(k)
        run.backprop_steps.append(data.num_steps * (k * (k + 1) // 2 if mode == "full" else k))
        run.history.tokens += count
        run.history.train_perplexity.append(math.exp(total / count))
        run.history.val_perplexity.append(model.perplexity(data.val_batches("sequential"), "sequential"))
    return run


# ------------------------------------------------------------------ checks
def _is_number(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _check_data(where, data):
    if not hasattr(data, "train_batches") or not hasattr(data, "vocab"):
        raise RNNGuideError(f"{where}: data must be a rnn_guide.TimeMachine, received {type(data).__name__}")


def _check_count(where, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise RNNGuideError(f"{where}: {name} must be a positive integer, received {value!r}")


def _check_positive(where, name, value, meaning):
    if not (_is_number(value) and 0 < value < math.inf):
        raise RNNGuideError(
            f"{where}: {name} must be a positive finite number ({meaning}), received {value!r}"
        )
