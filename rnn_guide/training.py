"""Training the character model: minibatch SGD with clipping, truncated BPTT and a progress bar.

:func:`train` is what the notebooks call. It runs the compiled step of
:func:`~rnn_guide.language_model.make_train_step` over the batches of each epoch,
keeps the loss on the device until the epoch ends, stops with a clear error when
the loss diverges, and records train and validation perplexity per epoch in a
:class:`History` (which can plot itself).
"""

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from .errors import RNNGuideError
from .language_model import _MAX_LOSS, _perplexity, make_train_step


@dataclass
class History:
    """Per-epoch perplexities and timing of a training run."""

    train_perplexity: list = field(default_factory=list)
    val_perplexity: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    tokens: int = 0

    @property
    def epochs(self):
        return len(self.train_perplexity)

    @property
    def total_seconds(self):
        return float(sum(self.seconds))

    @property
    def tokens_per_second(self):
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


def train(
    model, data, epochs=100, lr=1.0, clip=1.0, partition="random", seed=0, progress=True, validate=True
):
    """Train ``model`` on ``data`` (a :class:`~rnn_guide.data.TimeMachine`).

    Args:
        epochs: passes over the training windows (the book: 100).
        lr: SGD learning rate (the book: 1).
        clip: gradient-clipping threshold on the global norm (the book: 1); None disables it.
        partition: ``'random'`` (shuffled windows, a fresh zero state for each
            batch) or ``'sequential'`` (the state is carried across batches and
            detached: truncated BPTT).
        seed: seed of the shuffling.
        progress: show a progress bar (tqdm: a widget in Jupyter, a line in a terminal).
        validate: compute validation perplexity after every epoch.

    Returns:
        History with per-epoch train and validation perplexity and seconds.

    Raises:
        TrainingDivergedError: the loss became NaN or infinite. The model keeps the
            parameters it had before that epoch and the error carries the history so far.
    """
    _check_training_args(epochs, lr, clip, partition)
    d2l = model.d2l
    step = make_train_step(d2l, float(lr), None if clip is None else float(clip))
    rng = np.random.default_rng(seed)
    history = History()
    bar = _progress_bar(epochs, progress, d2l.name)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        before, total, count, H = model.params, None, 0, None
        for X, Y in data.train_batches(rng, partition):
            if H is None or partition == "random" or d2l.shape(H)[0] != X.shape[0]:
                H = model.begin_state(X.shape[0])
            model.params, loss, H = step(model.params, d2l.tensor(X.T), d2l.tensor(Y.T), H)
            # The sum stays on the device: one host round trip per epoch, not one per step.
            total = loss * X.size if total is None else total + loss * X.size
            count += X.size
        mean_loss = float(d2l.numpy(total)) / count
        if not mean_loss < _MAX_LOSS:  # NaN, inf, or a loss whose perplexity overflows a float
            model.params = before
            bar.close()
            raise TrainingDivergedError(
                f"the training loss became {mean_loss} in epoch {epoch} (lr={lr}, clip={clip}); training "
                "stopped and the model keeps the parameters it had before that epoch. "
                "Use gradient clipping (clip=1) or a smaller learning rate.",
                history,
            )
        history.seconds.append(time.perf_counter() - start)
        history.tokens += count
        history.train_perplexity.append(_perplexity(mean_loss))
        if validate:
            history.val_perplexity.append(model.perplexity(data.val_batches(partition), partition))
        bar.update(1)
        bar.set_postfix(
            train_ppl=f"{history.train_perplexity[-1]:.2f}",
            val_ppl=f"{history.val_perplexity[-1]:.2f}" if validate else "-",
        )
    bar.close()
    return history


def _check_training_args(epochs, lr, clip, partition):
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise RNNGuideError(f"epochs must be a positive integer, received {epochs!r}")
    if not (isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr)):
        raise RNNGuideError(f"lr must be a positive number, received {lr!r}")
    if clip is not None and not (isinstance(clip, (int, float)) and clip > 0):
        raise RNNGuideError(f"clip must be a positive number or None, received {clip!r}")
    if partition not in ("random", "sequential"):
        raise RNNGuideError(f"partition must be 'random' or 'sequential', received {partition!r}")


class _NoBar:
    def update(self, n=1):
        pass

    def set_postfix(self, **kwargs):
        pass

    def close(self):
        pass


def _progress_bar(epochs, progress, name):
    if not progress:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        warnings.warn('no progress bar: tqdm is not installed (pip install "rnn-guide[plots]")', stacklevel=3)
        return _NoBar()
    return tqdm(total=epochs, desc=f"training ({name})", unit="epoch")
