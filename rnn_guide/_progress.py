"""The training loop's progress bar: tqdm's (a widget in Jupyter, a line in a terminal), or nothing.

The loop in :mod:`rnn_guide.training` asks this module for a bar and draws nothing itself.
"""

import warnings


class _NoBar:
    """What the loop calls on a bar, doing nothing: training without a bar."""

    def update(self, n=1):
        pass

    def set_postfix(self, **kwargs):
        pass

    def close(self):
        pass


def progress_bar(total, progress=True, desc=None):
    """A tqdm bar of ``total`` epochs (a widget in Jupyter, a line in a terminal), or a stand-in
    that does nothing when ``progress`` is False or tqdm is not installed."""
    if not progress:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        warnings.warn("no progress bar: tqdm is not installed (pip install tqdm)", stacklevel=3)
        return _NoBar()
    return tqdm(total=total, desc=desc, unit="epoch")
