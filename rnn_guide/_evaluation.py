"""Running a model over minibatches without training it: the batches as tensors, the mean loss.

This sits below the model and the loop: :meth:`~rnn_guide.language_model.RNNLM.perplexity`
and :func:`~rnn_guide.training.train` (for validation) both call :func:`evaluate`, and the
loop makes its tensors with :func:`batch_tensors`.
"""

import numpy as np

from . import limits
from ._cells import get_cell, state_rows
from .backends.threads import AUTO, step_threads
from .errors import RNNGuideError
from .lm_math import loss_and_state


def batch_tensors(d2l, X, Y, rows=None):
    """A minibatch of index arrays (batch_size, num_steps) as time-major tensors ``(X, Y, weights)``.

    A compiled step is compiled once per input shape. With ``rows`` (given where the backend
    compiles) a smaller batch is padded with zero rows to ``rows``, and ``weights`` (1 for a real
    prediction, 0 for padding) keeps the loss the mean over the real ones: one shape per run.
    Without ``rows``, ``weights`` is None.
    """
    n, T = X.shape
    if rows is None or n > rows:
        return d2l.tensor(X.T), d2l.tensor(Y.T), None
    X, Y = (np.concatenate([A, np.zeros((rows - n, T), A.dtype)]) for A in (X, Y))
    weights = np.tile((np.arange(rows) < n).astype(np.float32), T)  # the rows of O are time-major
    return d2l.tensor(X.T), d2l.tensor(Y.T), d2l.tensor(weights)


def step_key(name, cell, num_layers=1, bidirectional=False):
    """The key of a model's compiled step, e.g. ``'train_step:gru'``, or ``'train_step:gru:2:True'``
    for a deep and/or bidirectional model: TensorFlow traces a step again for every new nesting of
    its parameters, so each structure gets its own step (one layer keeps the short key)."""
    return f"{name}:{cell}" + (
        "" if (num_layers, bidirectional) == (1, False) else f":{num_layers}:{bidirectional}"
    )


def evaluate(model, batches, partition="random", rows=None, threads=AUTO):
    """Mean cross-entropy of ``model`` over all tokens of ``batches`` (a compiled step, no update).

    With ``partition='sequential'`` the state is carried from batch to batch. ``rows``: pad
    smaller batches to this many rows where the backend compiles (:func:`batch_tensors`); None
    pads them to the first batch's rows, so that a compiled step sees one shape. ``threads``:
    as in :func:`train`.
    """
    d2l = model.d2l
    step = d2l.compiled(
        step_key("eval_step", model.cell, model.num_layers, model.bidirectional),
        lambda: lambda p, X, Y, H, w: loss_and_state(d2l, p, X, Y, H, w),
    )
    total, count, H = 0.0, 0, None
    with step_threads(d2l, threads, "evaluate") as choice:
        for X, Y in batches:
            limits.check_batch(model, get_cell(model.cell, "evaluate"), X)  # before its tensors are made
            rows = (rows or len(X)) if d2l.compiles else None
            Xt, Yt, weights = batch_tensors(d2l, X, Y, rows)
            if H is None or partition != "sequential" or state_rows(d2l, H) != d2l.shape(Xt)[1]:
                H = model.begin_state(d2l.shape(Xt)[1])
            with choice.step():
                loss, H = step(model.params, Xt, Yt, H, weights)
                total += float(d2l.numpy(loss)) * X.size
            count += X.size
    if count == 0:
        raise RNNGuideError("evaluation needs at least one batch, received none")
    return total / count
