"""The Time Machine as d2l uses it: the packaged text, preprocessing, vocabulary, minibatches.

H. G. Wells' novel (1895, in the public domain) ships inside the package, byte for byte the file
d2l downloads (``rnn_guide/texts/timemachine.txt``, 179 KB), so nothing is downloaded and no
variable needs setting. ``RNN_GUIDE_DATA_DIR`` names a folder holding another copy to read instead;
that folder must exist (a missing one is almost always a typo). Every copy, the packaged one
included, is checked against d2l's sha1 before it is used.
"""

import collections
import hashlib
import os
import re
from importlib import resources
from pathlib import Path

import numpy as np

from . import _validation as check
from . import limits
from .errors import RNNGuideError

FILENAME = "timemachine.txt"
SHA1 = "090b5e7e70c295757f55df93cb0a180b9691891a"
DATA_DIR_VAR = "RNN_GUIDE_DATA_DIR"
UNK = "<unk>"


def _sha1(data):
    return hashlib.sha1(data).hexdigest()


def _brief(text):
    """``text`` as it is, or shortened by ``rnn_guide._validation.shown`` when it is very long."""
    return text if len(text) <= 200 else check.shown(text)


def _override_file(value):
    """``$RNN_GUIDE_DATA_DIR/timemachine.txt``, or an error naming the folder or the file.

    Only that the file exists is checked here: reading it (:func:`rnn_guide.limits.read_bounded`)
    refuses a directory, a device, a FIFO or a file too large, and says which.
    """
    folder = Path(value).expanduser()
    named, expanded = _brief(value), f" ({_brief(str(folder))})" if str(folder) != value else ""
    # A folder named by the user that is not there is a typo far more often than a wish for the
    # packaged copy: falling back to it silently would hide the typo.
    try:
        state = None if folder.is_dir() else "is not a folder" if folder.exists() else "does not exist"
    except OSError as err:  # e.g. a name too long for the system
        state = f"cannot be used ({err.strerror or err})"
    if state is not None:
        raise RNNGuideError(
            f"{DATA_DIR_VAR}={named} names a folder that {state}{expanded}. Check the spelling, or "
            f"unset {DATA_DIR_VAR} to use the copy of The Time Machine inside the package."
        )
    path = folder / FILENAME
    if not os.path.lexists(path):
        raise RNNGuideError(
            f"{DATA_DIR_VAR}={named} names a folder with no {FILENAME}: expected d2l's text "
            f"(sha1 {SHA1}) at {path}; unset {DATA_DIR_VAR} to use the copy inside the package."
        )
    return path


def read_time_machine(*, environ=None):
    """The raw text of *The Time Machine*, verified by its sha1.

    Args:
        environ: the mapping ``RNN_GUIDE_DATA_DIR`` is read from (default ``os.environ``).
            When the variable is set, ``timemachine.txt`` in that folder is read; otherwise the
            copy inside the package.

    Returns:
        The text as d2l serves it (178,979 characters, before preprocessing).

    Raises:
        RNNGuideError: ``$RNN_GUIDE_DATA_DIR`` names no folder or a folder without the file; the
            file there cannot be read, is not a regular file or is larger than
            :data:`~rnn_guide.limits.MAX_TEXT_BYTES`; the file read has another sha1 (the message
            names both); the packaged copy is missing.
    """
    environ = os.environ if environ is None else environ
    value = environ.get(DATA_DIR_VAR)
    if value:
        path = _override_file(value)
        content = limits.read_bounded(path, f"{DATA_DIR_VAR}'s")
        remedy = (
            f"replace it with d2l's {FILENAME}, or unset {DATA_DIR_VAR} to use the copy inside the package"
        )
    else:
        packaged = resources.files(__package__) / "texts" / FILENAME
        try:
            content = packaged.read_bytes()
        except OSError as err:
            raise RNNGuideError(
                f"the copy of The Time Machine inside the package is missing ({packaged}: "
                f"{err.strerror or err}); reinstall rnn_guide, or set {DATA_DIR_VAR} to a folder "
                f"holding d2l's {FILENAME} (sha1 {SHA1})"
            ) from None
        path, remedy = packaged, "reinstall rnn_guide"
    found = _sha1(content)
    if found != SHA1:
        raise RNNGuideError(
            f"{path} has sha1 {found}, expected {SHA1}: the file is damaged or another text; {remedy}."
        )
    return content.decode("utf-8")


def read_text_file(path):
    """The text of a UTF-8 file, or an error that names the file and what is wrong with it.

    The file must be a regular file of at most :data:`~rnn_guide.limits.MAX_TEXT_BYTES`
    (:func:`~rnn_guide.limits.read_bounded`): ``/dev/zero`` or a FIFO is refused before reading.
    Line ends become ``\n``, as ``open()`` reads text.
    """
    content = limits.read_bounded(path)
    try:
        return content.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as err:
        raise RNNGuideError(
            f"cannot read the text file {path}: expected UTF-8 text, but byte {err.object[err.start]:#04x} "
            f"at position {err.start} is not UTF-8; save the file as UTF-8"
        ) from None


def preprocess(text):
    """The book's preprocessing: every run of non-letters becomes one space, then lower-case."""
    return re.sub("[^A-Za-z]+", " ", check.text(text, "text", "preprocess")).lower()


class Vocab:
    """A character vocabulary with ``<unk>``, in d2l's order (sorted tokens).

    For the book's text it has 28 tokens: ``' '``, ``'<unk>'`` and ``'a'`` to ``'z'``.
    """

    def __init__(self, tokens=(), reserved_tokens=()):
        tokens = check.str_sequence(tokens, "tokens", "Vocab")
        reserved_tokens = check.str_sequence(reserved_tokens, "reserved_tokens", "Vocab")
        counter = collections.Counter(tokens)
        self.token_freqs = sorted(counter.items(), key=lambda kv: kv[1], reverse=True)
        self.idx_to_token = sorted(set([UNK, *reserved_tokens, *counter]))
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}

    def __len__(self):
        return len(self.idx_to_token)

    def __repr__(self):
        return f"Vocab({len(self)} tokens: {''.join(t if len(t) == 1 else '?' for t in self.idx_to_token)!r})"

    @property
    def unk(self):
        """Index of ``<unk>``."""
        return self.token_to_idx[UNK]

    def __getitem__(self, tokens):
        if isinstance(tokens, str):
            return self.token_to_idx.get(tokens, self.unk)
        return [self[t] for t in tokens]

    def encode(self, text):
        """Indices of the characters of ``text`` (unknown ones map to ``<unk>``)."""
        return [self[ch] for ch in text]

    def decode(self, indices):
        """The string for a sequence of indices (each in ``[0, len(vocab) - 1]``)."""
        indices = check.int_sequence(indices, "indices", "Vocab.decode", 0, len(self) - 1)
        return "".join(self.idx_to_token[i] for i in indices)

    def unknown_chars(self, text):
        """The distinct characters of ``text`` that are not in the vocabulary, sorted."""
        return sorted({ch for ch in text if ch not in self.token_to_idx})

    @classmethod
    def from_tokens_list(cls, idx_to_token):
        """Rebuild a vocabulary from its ordered token list (as stored in a checkpoint)."""
        vocab = cls()
        vocab.idx_to_token = list(idx_to_token)
        vocab.token_to_idx = {t: i for i, t in enumerate(vocab.idx_to_token)}
        return vocab


class TimeMachine:
    """Windows of ``num_steps + 1`` characters, split and batched as in the book.

    Window ``i`` is ``corpus[i : i + num_steps + 1]``; its first ``num_steps``
    characters are the input and the last ``num_steps`` the target, so
    "machin" is paired with "achine". The first ``num_train`` windows are for
    training, the next ``num_val`` for validation.

    Args:
        batch_size: windows per minibatch.
        num_steps: input characters per window (a window holds ``num_steps + 1``).
        num_train: windows for training (the book's 10,000).
        num_val: windows for validation, after the training ones (the book's 5,000).
        text: a ``str`` to use instead of the book (preprocessed the same way unless ``raw=True``).
        path: a UTF-8 text file to use instead of the book.
        raw: True to keep ``text``/``path`` as it is (any characters, any case).
    """

    def __init__(
        self, batch_size=1024, num_steps=32, num_train=10000, num_val=5000, text=None, path=None, raw=False
    ):
        where = "TimeMachine"
        batch_size = limits.check_batch_size(check.positive_int(batch_size, "batch_size", where), where)
        num_steps = limits.check_num_steps(check.positive_int(num_steps, "num_steps", where), where)
        num_train = check.positive_int(num_train, "num_train", "TimeMachine")
        num_val = check.non_negative_int(num_val, "num_val", "TimeMachine")
        raw = check.boolean(raw, "raw", "TimeMachine")
        if text is not None and path is not None:
            raise RNNGuideError(
                f"TimeMachine: give either text or path, not both; received path={check.shown(path)}"
            )
        if path is not None:
            text = read_text_file(check.path(path, "path", "TimeMachine"))
        elif text is not None:
            text = check.text(text, "text", "TimeMachine")
        else:
            text = read_time_machine()
        self.raw = raw
        self.text = text if raw else preprocess(text)
        self.vocab = Vocab(self.text)
        self.corpus = np.asarray(self.vocab.encode(self.text), dtype=np.int64)
        self.batch_size, self.num_steps = batch_size, num_steps
        windows = len(self.corpus) - self.num_steps
        if windows < num_train + num_val:
            raise RNNGuideError(
                f"the text has {len(self.corpus)} characters, so {max(windows, 0)} windows of "
                f"{self.num_steps + 1}; num_train + num_val = {num_train + num_val} needs "
                f"{num_train + num_val + self.num_steps} characters. Use a longer text or smaller splits."
            )
        self.num_train, self.num_val = num_train, num_val

    def prepare(self, text):
        """``text`` preprocessed the way the corpus was."""
        return text if self.raw else preprocess(text)

    def window(self, i):
        """Input and target of window ``i`` as index arrays, shape (num_steps,) each."""
        w = self.corpus[i : i + self.num_steps + 1]
        return w[:-1], w[1:]

    def _windows(self, start, indices):
        idx = start + np.asarray(indices)[:, None] + np.arange(self.num_steps + 1)
        w = self.corpus[idx]  # (batch, num_steps + 1)
        return w[:, :-1], w[:, 1:]

    def train_batches(self, rng=None, partition="random"):
        """Training minibatches ``(X, Y)``, int64 arrays of shape (batch_size, num_steps).

        ``partition='random'``: the training windows shuffled with ``rng`` (a NumPy
        generator), the last batch possibly smaller. ``'sequential'``: row ``b``
        of batch ``k + 1`` continues row ``b`` of batch ``k``, so the hidden state
        can be carried over (truncated BPTT).
        """
        check.one_of(partition, "partition", ("random", "sequential"), "train_batches")
        rng = np.random.default_rng(0) if rng is None else check.generator(rng, "rng", "train_batches")
        if partition == "sequential":
            return self._sequential(0, self.num_train + self.num_steps, int(rng.integers(self.num_steps)))
        order, n = rng.permutation(self.num_train), self.batch_size
        return (self._windows(0, order[i : i + n]) for i in range(0, self.num_train, n))

    def val_batches(self, partition="random"):
        """Validation minibatches in a fixed order (no shuffling)."""
        check.one_of(partition, "partition", ("random", "sequential"), "val_batches")
        if partition == "sequential":
            return self._sequential(self.num_train, self.num_val + self.num_steps, 0)
        n = self.batch_size
        return (
            self._windows(self.num_train, np.arange(i, min(i + n, self.num_val)))
            for i in range(0, self.num_val, n)
        )

    def _sequential(self, start, length, offset):
        # The stretch is corpus[start + offset : start + length] with offset < num_steps,
        # cut into batch_size parallel streams read num_steps characters at a time.
        per_row_worst = (length - self.num_steps) // self.batch_size
        if per_row_worst < self.num_steps:
            most = (length - self.num_steps) // self.num_steps
            raise RNNGuideError(
                f"sequential partitioning cuts {length} characters into batch_size = {self.batch_size} "
                f"streams, too short for one batch of num_steps = {self.num_steps}; use "
                f"batch_size <= {most} (or partition='random')"
            )
        span = self.corpus[start + offset : start + length]
        per_row = (len(span) - 1) // self.batch_size
        Xs = span[: self.batch_size * per_row].reshape(self.batch_size, per_row)
        Ys = span[1 : self.batch_size * per_row + 1].reshape(self.batch_size, per_row)
        T = self.num_steps
        return ((Xs[:, i : i + T], Ys[:, i : i + T]) for i in range(0, per_row - T + 1, T))
