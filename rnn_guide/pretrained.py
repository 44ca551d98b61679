"""The three character models of notebook 8, trained at the book's settings and shipped with the package.

Training the plain RNN, the GRU and the LSTM at the book's settings takes about a minute in PyTorch
on a 2-core CPU and several in MXNet; a classroom notebook should not wait that long. So the
package carries the three trained models (12 to 36 KB each), made by
``python scripts/train_pretrained.py`` in PyTorch, and :func:`load` reads one into any framework.
Nothing about them is special: :func:`train_book_model` retrains a cell from its seed, and
``tests/test_pretrained.py`` does so in every framework's test env and checks that the validation
perplexity comes out within 0.05 of the shipped model's.

The book's settings (d2l 9.5, 10.1 and 10.2): 32 hidden units, batches of 1,024 windows of 32
characters, gradients clipped at 1; the plain RNN with learning rate 1 for 100 epochs, the GRU and
the LSTM with learning rate 4 for 50 epochs.
"""

import time
from importlib import resources
from pathlib import Path

from ._cells import get_cell
from ._validation import shown
from .data import TimeMachine
from .errors import RNNGuideError
from .language_model import RNNLM
from .training import check_data, train

#: what every cell shares (the book's data, model size and clipping; seed 0 for weights and batches)
COMMON = {"batch_size": 1024, "num_steps": 32, "num_hiddens": 32, "clip": 1.0, "seed": 0}
#: what differs between the cells
PER_CELL = {
    "rnn": {"lr": 1.0, "epochs": 100},
    "gru": {"lr": 4.0, "epochs": 50},
    "lstm": {"lr": 4.0, "epochs": 50},
}


def book_settings(cell):
    """The book's training settings for ``cell`` (``'rnn'``, ``'gru'`` or ``'lstm'``), as a new dict.

    Keys: ``batch_size``, ``num_steps``, ``num_hiddens``, ``clip``, ``seed``, ``lr``, ``epochs``.
    """
    return {**COMMON, **PER_CELL[get_cell(cell, "book_settings").name]}


def path(cell):
    """The shipped checkpoint of ``cell``: ``rnn_guide/pretrained_models/char_{cell}.safetensors``."""
    folder = resources.files(__package__) / "pretrained_models"
    return Path(str(folder / f"char_{get_cell(cell, 'pretrained.path').name}.safetensors"))


def load(cell, framework="pytorch"):
    """The shipped model of ``cell``, trained at the book's settings, in ``framework``.

    Args:
        cell: ``'rnn'``, ``'gru'`` or ``'lstm'``.
        framework: a framework name or a backend from :func:`rnn_guide.use`; NumPy can run and
            sample the model but not train it further.

    Returns:
        An :class:`~rnn_guide.language_model.RNNLM`. Its ``meta`` holds the settings it was trained
        with, the framework that trained it and its validation perplexity there
        (``meta['val_perplexity']``).

    Raises:
        RNNGuideError: an unknown cell, or a shipped file that is missing or damaged (a broken
            installation: reinstall the package).
    """
    return RNNLM.load(path(cell), framework)


def train_book_model(cell, framework="pytorch", data=None, progress=False):
    """Train ``cell`` from seed 0 at the book's settings, as the shipped model was trained.

    Args:
        cell: ``'rnn'``, ``'gru'`` or ``'lstm'``.
        framework: a framework name or a backend (one with autograd: not NumPy).
        data: a :class:`~rnn_guide.data.TimeMachine` with the book's batch size and window length;
            None reads *The Time Machine*.
        progress: show a progress bar.

    Returns:
        ``(model, meta)``: the trained model and the dict that :func:`save` stores with it (the
        settings, the validation perplexity and the training time in seconds).
    """
    settings = book_settings(cell)
    if data is None:
        data = TimeMachine(settings["batch_size"], settings["num_steps"])
    check_data(data, "train_book_model")
    shape = (data.batch_size, data.num_steps)
    if shape != (settings["batch_size"], settings["num_steps"]):
        raise RNNGuideError(
            "train_book_model: data must have the book's batch_size=1024 and num_steps=32, "
            f"received batch_size={shape[0]} and num_steps={shape[1]}"
        )
    model = RNNLM(data.vocab, settings["num_hiddens"], framework, seed=settings["seed"], cell=cell)
    start = time.perf_counter()
    train(
        model,
        data,
        settings["epochs"],
        settings["lr"],
        settings["clip"],
        seed=settings["seed"],
        progress=progress,
        validate=False,
    )
    seconds = time.perf_counter() - start
    meta = {name: value for name, value in settings.items() if name != "num_hiddens"}
    meta.update(val_perplexity=model.perplexity(data.val_batches()), train_seconds=round(seconds, 1))
    return model, meta


def save(model, meta, destination):
    """Write a model from :func:`train_book_model`, with its ``meta``, to ``destination``.

    There is no default: the shipped files are part of the installed package, and a call that
    forgot its destination must not replace them. ``scripts/train_pretrained.py`` names the
    source tree's ``rnn_guide/pretrained_models/char_{cell}.safetensors`` on purpose.

    Args:
        model: the trained :class:`~rnn_guide.language_model.RNNLM`.
        meta: the dict that :func:`train_book_model` returned with it.
        destination: the file to write, e.g. ``'char_gru.safetensors'`` (no suffix is added).

    Returns:
        ``destination`` as a :class:`pathlib.Path`.

    Raises:
        RNNGuideError: ``destination`` is None or not writable
            (:func:`rnn_guide.checkpoint.check_writable`), or ``meta`` is not a dict of JSON values.
    """
    if destination is None:
        raise RNNGuideError(
            "pretrained.save: destination must be a file path such as 'char_rnn.safetensors', received None "
            "(there is no default, so that the shipped models are never replaced by accident)"
        )
    if not isinstance(meta, dict):
        raise RNNGuideError(
            f"pretrained.save: meta must be the dict from train_book_model, received {shown(meta)}"
        )
    return model.save(destination, **meta)
