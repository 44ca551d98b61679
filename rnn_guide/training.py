"""Training the character model: one SGD-with-clipping update, one loop, a History.

:func:`sgd_update` is the update ``p <- p - lr * clip(g)``; :func:`train_step` wraps it
with the gradient into the step the loop runs, compiled once per backend (the
learning rate and the clipping threshold are arguments of the step, so a second
:func:`train` call, another model or another learning rate reuses it). :func:`train`
runs the step over the batches of each epoch, keeps the loss on the device until
the epoch ends, stops with :class:`TrainingDivergedError` when the loss diverges,
and records train and validation perplexity per epoch in a :class:`History`. Both
choose the thread count of their steps by timing them and hand the framework's back
when they return (``rnn_guide.backends.threads``).
The gradient experiments of :mod:`rnn_guide.gradients` use this same loop.
"""

import contextlib
import math
import time
from dataclasses import dataclass, field

import numpy as np

from . import _validation as check
from . import limits
from ._cells import cell_of, detach_state, get_cell, state_rows
from ._evaluation import batch_tensors, evaluate, step_key
from ._lm_params import describe
from ._progress import progress_bar
from .backends.base import leaves, rebuild
from .backends.threads import AUTO, check_threads, step_threads
from .bptt import bptt_value_and_grad, full_bptt_fn
from .errors import RNNGuideError
from .lm_math import MAX_LOSS, StackedLMParams, lm_cell, loss_and_state, perplexity


@dataclass
class History:
    """Per-epoch perplexities, seconds and minibatch counts of a training run."""

    train_perplexity: list = field(default_factory=list)  #: training perplexity of each epoch
    val_perplexity: list = field(default_factory=list)  #: validation perplexity of each epoch, if validated
    seconds: list = field(default_factory=list)  #: wall-clock seconds of each epoch
    batches: list = field(default_factory=list)  #: minibatches of each epoch
    tokens: int = 0  #: training tokens over the whole run

    @property
    def epochs(self):
        """The number of epochs run."""
        return len(self.train_perplexity)

    @property
    def total_seconds(self):
        """Seconds spent training, all epochs together."""
        return float(sum(self.seconds))

    @property
    def tokens_per_second(self):
        """Training tokens per second over the run (0.0 before the first epoch)."""
        return self.tokens / self.total_seconds if self.total_seconds else 0.0

    def plot(self, ax=None):
        """A matplotlib plot of train and validation perplexity per epoch."""
        from .plots import plot_history

        return plot_history(self, ax=ax)


class TrainingDivergedError(RNNGuideError):
    """The loss became NaN or infinite; ``.history`` holds the epochs before it."""

    def __init__(self, message, history):
        super().__init__(message)
        self.history = history


def check_step_losses(losses, where, model, lr, clip, default_lr):
    """Raise TrainingDivergedError at the first step loss not below ``MAX_LOSS`` (NaN included)."""
    for k, loss in enumerate(losses):
        if not loss < MAX_LOSS:
            raise TrainingDivergedError(
                f"{where}: the training loss became {loss:g} at step {k + 1} of {len(losses)} (lr={lr:g}, "
                f"clip={clip:g}), so the {model} learned nothing; use a smaller learning rate, such as "
                f"the default {default_lr:g}",
                losses[:k],
            )


# ------------------------------------------------------------------ the step
def gradient_fn(d2l):
    """``g(params, X, Y, H, weights=None) -> (loss, H_T, grads)`` by the framework's autograd.

    NumPy has no autograd: there the gradients are the hand-written BPTT of :mod:`rnn_guide.bptt`
    (NumPy does not compile, so its batches are never padded and ``weights`` stays None).
    """
    if d2l.name == "numpy":
        return lambda params, X, Y, H, weights=None: bptt_value_and_grad(_plain(params), X, Y, H)
    return d2l.value_and_grad(lambda p, X, Y, H, weights=None: loss_and_state(d2l, p, X, Y, H, weights))


def sgd_update(d2l, params, grads, lr, clip):
    """One SGD step with clipping by global norm: ``p <- p - lr * min(1, clip / ||g||) g``.

    ``clip`` may be ``inf`` (no clipping); ``lr`` and ``clip`` may be Python numbers or 0-d tensors.
    """
    grads, _ = d2l.clip_by_global_norm(leaves(grads), clip)
    return rebuild(params, [p - lr * g for p, g in zip(leaves(params), grads)])


def train_step(d2l, compiled=True, cell="rnn", num_layers=1, bidirectional=False):
    """``step(params, X, Y, H, lr, clip, weights=None) -> (params, loss, H)``: gradient, clipping, update.

    The incoming state is detached (stop-gradient): with sequential batches the state
    carries information across batches but no gradient (truncated BPTT); a deep model's
    ``H[l][k]`` is detached tensor by tensor. With ``compiled=True`` the step is built and
    compiled once per backend and model structure (``cell``: ``'rnn'``, ``'gru'`` or ``'lstm'``,
    with ``num_layers`` and ``bidirectional``: the parameters it will be given) and reused.
    ``weights`` marks the real predictions of a padded batch (see :func:`batch_tensors`).
    """

    def build():
        grad_fn = gradient_fn(d2l)

        def step(params, X, Y, H, lr, clip, weights=None):
            loss, H, grads = grad_fn(params, X, Y, detach_state(d2l, H), weights)
            return sgd_update(d2l, params, grads, lr, clip), loss, detach_state(d2l, H)

        return step

    # one compiled step per structure: TensorFlow would retrace (and warn) on every change of it
    key = step_key("train_step", get_cell(cell, "train_step").name, num_layers, bidirectional)
    return d2l.compiled(key, build) if compiled else build()


def full_bptt_step(d2l):
    """``step(params, X_past, X, Y, H0, lr, clip)``: like :func:`train_step`, but the gradient
    goes back through the earlier inputs ``X_past`` to ``H0`` (:func:`~rnn_guide.bptt.full_bptt_fn`)."""
    grad_fn = full_bptt_fn(d2l)

    def step(params, X_past, X, Y, H0, lr, clip):
        loss, H, grads = grad_fn(params, X_past, X, Y, H0)
        return sgd_update(d2l, params, grads, lr, clip), loss, H

    return step


# ------------------------------------------------------------------ the loop
def train(
    model,
    data,
    epochs=100,
    lr=1.0,
    clip=1.0,
    partition="random",
    seed=0,
    progress=True,
    validate=True,
    bptt="truncated",
    compiled=True,
    threads=AUTO,
):
    """Train ``model`` on ``data`` (a :class:`~rnn_guide.data.TimeMachine`).

    Args:
        epochs: passes over the training windows (the book: 100).
        lr: SGD learning rate, a positive finite number (the book: 1).
        clip: gradient-clipping threshold on the global norm, a positive finite number (the book: 1);
            None disables it.
        partition: ``'random'`` (shuffled windows, a fresh zero state for each
            batch) or ``'sequential'`` (the state is carried across batches and
            detached: truncated BPTT; a deep or bidirectional model's ``state[l][k]`` as a whole).
        seed: seed of the shuffling, an integer in [0, 2**32 - 1].
        progress: show a progress bar (tqdm: a widget in Jupyter, a line in a terminal).
        validate: compute validation perplexity after every epoch.
        bptt: ``'truncated'`` or, with ``partition='sequential'``, ``'full'``: each batch's
            gradient goes back through every earlier batch of the epoch (slow; for comparison).
        compiled: run the compiled step (False: eager, e.g. to compare the work done).
        threads: ``'auto'`` (one thread or the framework's count, whichever ran faster lately; PyTorch
            only), None or a count, put back afterwards (``rnn_guide.backends.threads``).

    Returns:
        History with per-epoch train and validation perplexity, seconds and batch counts.

    Raises:
        TrainingDivergedError: the loss became NaN or infinite. The model keeps the
            parameters it had before that epoch and the error carries the history so far.
    """
    _check_model_and_data(model, data)
    epochs = check.positive_int(epochs, "epochs", "train")
    lr = check.positive_number(lr, "lr", "train", "a learning rate such as 1")
    if clip is not None:
        clip = check.clip_threshold(clip, "clip", "train")
    seed = check.seed(seed, "train")
    for name, value in (("progress", progress), ("validate", validate), ("compiled", compiled)):
        check.boolean(value, name, "train")
    check.one_of(partition, "partition", ("random", "sequential"), "train")
    check.one_of(bptt, "bptt", ("truncated", "full"), "train")
    threads = check_threads(threads, "train")
    if bptt == "full" and partition != "sequential":
        raise RNNGuideError("train: bptt='full' needs partition='sequential', received partition='random'")
    limits.check_training(model, get_cell(model.cell, "train"), data, bptt)  # memory, before it starts
    d2l = model.d2l
    if d2l.name == "numpy":
        _plain(model.params, "train")
    structure = (model.cell, model.num_layers, model.bidirectional)
    step = train_step(d2l, compiled, *structure) if bptt == "truncated" else full_bptt_step(d2l)
    rows = data.batch_size if compiled and d2l.compiles and bptt == "truncated" else None
    lr_t, clip_t = (d2l.tensor(np.float32(v)) for v in (lr, math.inf if clip is None else clip))
    rng, history = np.random.default_rng(seed), History()
    # the bar is closed and the framework's threads restored however training ends (divergence, Ctrl-C)
    with (
        step_threads(d2l, threads, "train") as choice,
        contextlib.closing(progress_bar(epochs, progress, f"training ({d2l.name})")) as bar,
    ):
        for epoch in range(1, epochs + 1):
            start, before = time.perf_counter(), model.params
            batches = data.train_batches(rng, partition)
            mean_loss, count, k = _epoch(model, batches, step, rows, partition, bptt, lr_t, clip_t, choice)
            if not mean_loss < MAX_LOSS:  # NaN, inf, or a loss whose perplexity overflows a float
                model.params = before
                raise TrainingDivergedError(
                    f"the training loss became {mean_loss} in epoch {epoch} (lr={lr}, clip={clip}, "
                    f"bptt={bptt!r}); training stopped and the model keeps the parameters it had before "
                    "that epoch. Use gradient clipping (clip=1) or a smaller learning rate.",
                    history,
                )
            history.seconds.append(time.perf_counter() - start)
            history.batches.append(k)
            history.tokens += count
            history.train_perplexity.append(perplexity(mean_loss))
            if validate:  # on the thread count the training steps ran fastest on lately
                val_loss = evaluate(model, data.val_batches(partition), partition, rows, choice.best())
                history.val_perplexity.append(perplexity(val_loss))
            bar.update(1)
            bar.set_postfix(
                train_ppl=f"{history.train_perplexity[-1]:.2f}",
                val_ppl=f"{history.val_perplexity[-1]:.2f}" if validate else "-",
            )
    return history


def _epoch(model, batches, step, rows, partition, bptt, lr, clip, choice):
    """One pass of ``step`` over ``batches``: ``(mean loss, tokens, number of batches)``."""
    d2l, total, count, H, past, k = model.d2l, None, 0, None, [], 0
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is caught by the caller, with advice
        for X, Y in batches:
            k += 1
            Xt, Yt, weights = batch_tensors(d2l, X, Y, rows)
            fresh = (
                H is None or partition == "random" or bptt == "full" or state_rows(d2l, H) != d2l.shape(Xt)[1]
            )
            H = model.begin_state(d2l.shape(Xt)[1]) if fresh else H  # sequential: carry the state on
            if bptt == "full":  # from the start of the epoch, through every earlier batch
                X_past = d2l.tensor(np.concatenate(past, axis=1).T) if past else None
                with choice.step(work=len(past) + 1):  # it goes back through len(past) + 1 batches
                    model.params, loss, H = step(model.params, X_past, Xt, Yt, H, lr, clip)
                past.append(X)
            else:
                with choice.step():  # timed: the thread count of the coming steps depends on it
                    model.params, loss, H = step(model.params, Xt, Yt, H, lr, clip, weights)
            # The sum stays on the device: one host round trip per epoch, not one per step.
            total = loss * X.size if total is None else total + loss * X.size
            count += X.size
    return float(d2l.numpy(total)) / count, count, k


def _plain(params, where="gradient_fn"):
    """NumPy trains by the hand-written BPTT of the single-layer plain RNN only: refuse a gated
    cell's parameters and a deep or bidirectional model's."""
    if isinstance(params, StackedLMParams):
        L, K = len(params.stack.layers), len(params.stack.layers[0])
        raise RNNGuideError(
            f"{where}: the NumPy reference trains only the single-layer plain RNN (hand-written BPTT "
            f"of one layer, one direction), received a model of {describe(lm_cell(params), L, K)}; "
            "train it in a framework with autograd (pytorch, tensorflow, jax, mxnet) and load the "
            "checkpoint in NumPy"
        )
    if cell_of(params).name != "rnn":
        raise RNNGuideError(
            f"{where}: the NumPy reference trains only the plain RNN (hand-written BPTT), received a "
            f"{cell_of(params).name!r} model; train it in a framework with autograd (pytorch, tensorflow, "
            "jax, mxnet) and load the checkpoint in NumPy"
        )
    return params


def check_data(data, where="train"):
    """Raise a clear error unless ``data`` offers minibatches and a vocabulary like a TimeMachine."""
    if not all(hasattr(data, a) for a in ("train_batches", "val_batches", "vocab", "batch_size")):
        raise RNNGuideError(f"{where}: data must be a rnn_guide.TimeMachine, received {type(data).__name__}")


def _check_model_and_data(model, data):
    if not (hasattr(model, "d2l") and hasattr(model, "params") and hasattr(model, "begin_state")):
        raise RNNGuideError(f"train: model must be a rnn_guide.RNNLM, received {type(model).__name__}")
    check_data(data)
    model_tokens = list(getattr(model, "vocab", data.vocab).idx_to_token)
    if model_tokens != list(data.vocab.idx_to_token):
        raise RNNGuideError(
            f"train: the model's vocabulary ({len(model_tokens)} tokens) differs from the data's "
            f"({len(data.vocab)} tokens); build the model from data.vocab"
        )
