"""Matplotlib figures used by the notebooks (matplotlib is imported only when a figure is made)."""


def plot_history(history, ax=None):
    """Train and validation perplexity per epoch.

    Args:
        history: a :class:`~rnn_guide.language_model.History`.
        ax: a matplotlib Axes to draw on (a new figure when None).

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    epochs = range(1, history.epochs + 1)
    ax.plot(epochs, history.train_perplexity, label="train")
    if history.val_perplexity:
        ax.plot(epochs, history.val_perplexity, "--", label="validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("perplexity")
    ax.set_xlim(1, max(history.epochs, 2))
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax.figure
