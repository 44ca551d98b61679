"""Figures for the gradient experiments of :mod:`rnn_guide.gradients` (matplotlib imported when drawing)."""

import numpy as np


def _integer_epochs(ax):
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _axes(ax, ncols=1, figsize=(5, 3.2)):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax
    _, ax = plt.subplots(1, ncols, figsize=figsize, layout="constrained")
    return ax


def plot_gradient_norms(curves, ax=None):
    """``||dH_T/dH_t||`` against the distance ``T - t``, on a log scale.

    Args:
        curves: dict label -> norms, as returned by :func:`~rnn_guide.gradients.gradient_norms`.
        ax: a matplotlib Axes to draw on (a new figure when None).

    Returns:
        The matplotlib Figure. Norms that underflowed to 0 are left out (log scale).
    """
    ax = _axes(ax)
    for label, norms in curves.items():
        norms = np.asarray(norms, dtype=np.float64)
        distance = np.arange(len(norms))
        shown = norms > 0
        ax.semilogy(distance[shown], norms[shown], label=label)
    ax.axhline(1.0, color="gray", lw=0.8, ls=":")
    ax.set_xlabel("distance $T - t$ (steps)")
    ax.set_ylabel(r"$\|\partial H_T / \partial H_t\|$")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small")
    return ax.figure


def plot_clipping(runs, ax=None):
    """Validation perplexity per epoch of the runs of :func:`~rnn_guide.gradients.clipping_experiment`.

    A dashed line marks the vocabulary size, the perplexity of a uniform guess; a run
    that stopped on NaN/inf ends with an ``x``.

    Returns:
        The matplotlib Figure.
    """
    ax = _axes(ax)
    for run in runs:
        ppl = run.history.val_perplexity
        (line,) = ax.semilogy(range(1, len(ppl) + 1), ppl, marker="o", ms=3, label=run.label)
        if run.stopped_in_epoch is not None:
            ax.plot([run.stopped_in_epoch], [ppl[-1] if ppl else run.vocab_size], "x", color=line.get_color())
    ax.axhline(runs[0].vocab_size, color="gray", ls="--", lw=0.8, label="uniform guess")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation perplexity")
    _integer_epochs(ax)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small")
    return ax.figure


def plot_truncation(results, axes=None):
    """Truncated against full BPTT: validation perplexity per epoch, and seconds per epoch.

    Args:
        results: dict mode -> TruncationRun, from :func:`~rnn_guide.gradients.truncation_experiment`.
        axes: two matplotlib Axes (a new figure when None).

    Returns:
        The matplotlib Figure.
    """
    left, right = _axes(axes, ncols=2, figsize=(9, 3.2))
    for style, (mode, run) in zip(("-", "--", ":"), results.items()):
        history = run.history
        left.plot(range(1, history.epochs + 1), history.val_perplexity, style, marker="o", ms=3, label=mode)
    left.set_xlabel("epoch")
    _integer_epochs(left)
    left.set_ylabel("validation perplexity")
    left.grid(True, alpha=0.3)
    left.legend(fontsize="small")
    modes = list(results)
    seconds = [float(np.median(results[m].history.seconds)) for m in modes]
    right.bar(modes, seconds, color=["C0", "C1"][: len(modes)])
    right.set_ylabel("seconds per epoch (median)")
    right.grid(True, axis="y", alpha=0.3)
    return left.figure
