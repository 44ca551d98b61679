"""The sizes the package accepts, each checked before any work or allocation starts.

A teaching package runs on laptops and shared servers, so a typo such as ``num_steps=100000``
must end in one clear line, not in the kernel's out-of-memory killer an hour later. Every limit
below is far above what the guide's notebooks use (d2l's settings: batch 1024, 32 steps,
32 hidden units, a 28-token vocabulary), and each error names the value and the limit.

The ``check_*`` functions take values already known to be positive integers (the checks of
``rnn_guide._validation`` run first) and return them. :func:`read_bounded` reads a text file
without ever reading more than the limit, whatever the file turns out to be.
"""

import errno
import os
import stat

from .errors import RNNGuideError

#: Time steps per training window (d2l uses 32; notebook 6 goes to a few hundred).
MAX_NUM_STEPS = 10_000

#: Hidden units per layer. A (num_hiddens, num_hiddens) float32 matrix at this size is 256 MiB.
MAX_NUM_HIDDENS = 8_192

#: Layers of a deep RNN (d2l uses 2). Each layer runs its own loop over time after the one below,
#: so a step of training takes about num_layers times as long as one layer's.
MAX_NUM_LAYERS = 64

#: Windows per minibatch (d2l uses 1024).
MAX_BATCH_SIZE = 65_536

#: The memory a training run or an evaluation may need, estimated before it allocates
#: (:func:`run_bytes`): activations kept for backpropagation, parameters, gradients, index arrays.
MAX_MEMORY_BYTES = 8 * 2**30

#: Characters one call to ``predict``/``generate`` may produce (about 25 pages of text).
MAX_NUM_CHARS = 100_000

#: The largest text file read as a corpus (The Time Machine is 179 KB). Only regular files are
#: read: devices such as /dev/zero and FIFOs are refused before reading.
MAX_TEXT_BYTES = 64 * 2**20

#: Tokens in a vocabulary read from a checkpoint (a character vocabulary has a few dozen).
MAX_VOCAB_SIZE = 65_536

#: Characters in one vocabulary token read from a checkpoint.
MAX_TOKEN_CHARS = 64

#: Nesting depth of the JSON metadata in a checkpoint (the package writes depth 2 at most).
MAX_JSON_DEPTH = 16

#: Bytes of one float32 number: every parameter and activation is one.
FLOAT_BYTES = 4


#: Bytes of the minibatch's index arrays per token: inputs, targets and the window indices as
#: int64, on the host and again as tensors.
INDEX_BYTES = 4 * 8


def size_text(num_bytes):
    """``num_bytes`` as a short human figure: ``'7.3 TiB'``, ``'512.0 MiB'``, ``'12.0 KiB'``, ``'100 B'``."""
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if num_bytes >= scale:
            return f"{num_bytes / scale:.1f} {unit}"
    return f"{int(num_bytes)} B"


# ------------------------------------------------------------------ one size at a time
def _at_most(value, limit, name, constant, where):
    if value > limit:
        prefix = f"{where}: " if where else ""
        raise RNNGuideError(
            f"{prefix}{name} must be at most {limit} (rnn_guide.limits.{constant}), received {value}"
        )
    return value


def check_num_steps(value, where=None, name="num_steps"):
    """``value`` if it is at most :data:`MAX_NUM_STEPS`, else an error naming both.

    Args:
        value: an int, already checked to be an integer of the right sign.
        where: the function named at the start of the message, e.g. ``'TimeMachine'``.
        name: the argument named in the message.

    Returns:
        ``value``. The three checks below take the same arguments.
    """
    return _at_most(value, MAX_NUM_STEPS, name, "MAX_NUM_STEPS", where)


def check_num_hiddens(value, where=None, name="num_hiddens"):
    """``value`` if it is at most :data:`MAX_NUM_HIDDENS`, else an error naming both."""
    return _at_most(value, MAX_NUM_HIDDENS, name, "MAX_NUM_HIDDENS", where)


def check_batch_size(value, where=None, name="batch_size"):
    """``value`` if it is at most :data:`MAX_BATCH_SIZE`, else an error naming both."""
    return _at_most(value, MAX_BATCH_SIZE, name, "MAX_BATCH_SIZE", where)


def check_num_layers(value, where=None, name="num_layers"):
    """``value`` if it is at most :data:`MAX_NUM_LAYERS`, else an error naming both."""
    return _at_most(value, MAX_NUM_LAYERS, name, "MAX_NUM_LAYERS", where)


def check_num_chars(value, where=None, name="num_chars"):
    """``value`` if it is at most :data:`MAX_NUM_CHARS`, else an error naming both."""
    return _at_most(value, MAX_NUM_CHARS, name, "MAX_NUM_CHARS", where)


# ------------------------------------------------------------------ memory
def parameter_bytes(num_inputs, num_hiddens, num_outputs, gates=1, num_layers=1, num_directions=1):
    """Bytes of a cell's float32 parameters: ``W_x?`` (num_inputs, num_hiddens), ``W_h?``
    (num_hiddens, num_hiddens) and ``b_?`` (num_hiddens,) for each of its ``gates`` weight groups
    (the RNN has one, ``W_xh, W_hh, b_h``; the GRU three; the LSTM four), then ``W_hq`` and ``b_q``.

    A deep and/or bidirectional network (d2l 10.3, 10.4) has those groups for every layer and
    direction; layer 0 reads ``num_inputs`` features, each layer above and the output layer
    ``num_directions * num_hiddens``. Returns an int: 4 bytes per parameter.
    """
    h, K = num_hiddens, num_directions

    def groups(d):  # one direction of a layer that reads d features
        return gates * (d * h + h * h + h)

    count = K * groups(num_inputs) + (num_layers - 1) * K * groups(K * h) + K * h * num_outputs + num_outputs
    return FLOAT_BYTES * count


def run_bytes(
    batch_size, num_steps, vocab_size, num_hiddens, gates=1, has_memory=False, num_layers=1, num_directions=1
):
    """About the memory one training step of the character model needs, estimated from its sizes.

    Per token (``batch_size * num_steps`` of them): the scores, their log-softmax and its gradient
    (``3 * vocab_size`` floats), the cell's state vectors of ``num_hiddens`` floats (``gates + 2``:
    each gate's output, the candidate or the tanh's derivative and the state, plus the memory cell
    when there is one: 3 for the RNN, 5 for the GRU, 7 for the LSTM), and
    :data:`INDEX_BYTES` of index arrays. Once: the parameters three times (the parameters, their
    gradients, and the copy kept to undo a diverged epoch). For d2l's settings (1024, 32, 28, 32)
    it is about 20 MiB; an evaluation needs less, and is held to the same estimate.

    A deep and/or bidirectional network keeps the state vectors of every layer and direction
    (``num_layers * num_directions`` times as many), and two more per layer and direction for
    the copies between layers (the reversed sequence, the directions joined or put back in order).
    Returns an int, in bytes.
    """
    cells = num_layers * num_directions
    vectors = cells * (gates + 2 + int(has_memory)) + (2 * cells if cells > 1 else 0)
    per_token = FLOAT_BYTES * (3 * vocab_size + vectors * num_hiddens) + INDEX_BYTES
    params = parameter_bytes(vocab_size, num_hiddens, vocab_size, gates, num_layers, num_directions)
    return batch_size * num_steps * per_token + 3 * params


def _check_memory(needed, what, where, remedy):
    if needed > MAX_MEMORY_BYTES:
        raise RNNGuideError(
            f"{where}: {what} needs about {size_text(needed)}, more than the limit of "
            f"{size_text(MAX_MEMORY_BYTES)} (rnn_guide.limits.MAX_MEMORY_BYTES); {remedy}"
        )


def _layers_text(num_layers, num_directions):
    """``''`` for one cell, ``', 2 layers'`` or ``', 1 layer, bidirectional'`` for a stack."""
    plural, both = "s" * (num_layers > 1), ", bidirectional" * (num_directions == 2)
    return "" if (num_layers, num_directions) == (1, 1) else f", {num_layers} layer{plural}{both}"


def check_parameters(
    num_inputs, num_hiddens, num_outputs, gates=1, where=None, num_layers=1, num_directions=1
):
    """Refuse parameters too many for :data:`MAX_NUM_HIDDENS`, :data:`MAX_NUM_LAYERS` or
    :data:`MAX_MEMORY_BYTES`, before any is drawn (:func:`parameter_bytes`, ``gates`` weight
    groups, ``num_layers`` layers of ``num_directions`` directions)."""
    check_num_hiddens(num_hiddens, where)
    check_num_layers(num_layers, where)
    what = (
        f"a cell with {num_inputs} inputs, {num_hiddens} hidden units, {num_outputs} outputs "
        f"and {gates} weight group{'s' if gates > 1 else ''}{_layers_text(num_layers, num_directions)}"
    )
    needed = parameter_bytes(num_inputs, num_hiddens, num_outputs, gates, num_layers, num_directions)
    remedy = "fewer inputs, hidden units or outputs" if num_layers == 1 else "fewer hidden units or layers"
    _check_memory(needed, what, where, "use " + remedy)


def check_run(
    batch_size, num_steps, vocab_size, num_hiddens, cell, where=None, num_layers=1, num_directions=1
):
    """Refuse a training run or an evaluation whose :func:`run_bytes` exceeds :data:`MAX_MEMORY_BYTES`.

    Args:
        batch_size: sequences per minibatch.
        num_steps: time steps per sequence.
        vocab_size: the model's vocabulary size V.
        num_hiddens: the model's state size.
        cell: the model's :class:`~rnn_guide.cell.Cell` (its gate groups and memory cell count).
        where: the function named in the message.
        num_layers: the model's layers (1 for one cell).
        num_directions: the model's directions, 1 or 2 (1 for one cell).
    """
    gates = sum(len(group) for group in cell.groups)
    needed = run_bytes(
        batch_size, num_steps, vocab_size, num_hiddens, gates, cell.has_memory, num_layers, num_directions
    )
    what = (
        f"a minibatch of batch_size = {batch_size} windows of num_steps = {num_steps} "
        f"(a vocabulary of {vocab_size}, {num_hiddens} hidden units, cell {cell.name!r}"
        f"{_layers_text(num_layers, num_directions)})"
    )
    remedy = "use a smaller batch_size, num_steps or num_hiddens" + (
        " or fewer layers" if num_layers > 1 else ""
    )
    _check_memory(needed, what, where, remedy)


def _structure(model):
    """``(num_layers, num_directions)`` of a model (1 and 1 for one without those attributes)."""
    return getattr(model, "num_layers", 1), 2 if getattr(model, "bidirectional", False) else 1


def check_training(model, cell, data, bptt="truncated", where="train"):
    """:func:`check_run` for training ``model`` (an RNNLM of ``cell``) on ``data`` (a TimeMachine).

    With ``bptt='full'`` the gradient goes back through every batch of the epoch, so each row
    keeps its whole stream of about ``(num_train + num_steps) / batch_size`` steps.
    """
    steps = data.num_steps
    if bptt == "full":
        steps = max(steps, (data.num_train + data.num_steps) // data.batch_size)
    check_run(data.batch_size, steps, len(data.vocab), model.num_hiddens, cell, where, *_structure(model))


def check_batch(model, cell, X, where="evaluate"):
    """:func:`check_run` for running ``model`` (an RNNLM of ``cell``) on the index array ``X``
    (batch_size, num_steps)."""
    check_run(len(X), X.shape[1], len(model.vocab), model.num_hiddens, cell, where, *_structure(model))


# ------------------------------------------------------------------ reading a text file
def _kind(mode):
    for test, kind in (
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def read_bounded(path, what="the text file"):
    """The bytes of the regular file at ``path``, never more than :data:`MAX_TEXT_BYTES` of them read.

    The file is opened without blocking (a FIFO would otherwise wait for a writer), and what was
    opened is checked before reading: a directory, a device such as /dev/zero, a FIFO or a socket
    is refused, and so is a file larger than the limit. Then at most the limit plus one byte is
    read, so a file that grows meanwhile (or reports size 0, as those in /proc do) is refused too.

    Args:
        path: the file (a str or a path).
        what: how the message names the file, e.g. ``'the text file'``.

    Returns:
        The file's content as bytes.

    Raises:
        RNNGuideError: naming the path and the reason (missing, unreadable, not a regular file,
            or larger than the limit, with both sizes).
    """
    fail, limit = f"cannot read {what} {path}", MAX_TEXT_BYTES
    too_large = f"more than the limit of {size_text(limit)} (rnn_guide.limits.MAX_TEXT_BYTES)"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:  # missing, not allowed, a name too long, ...
        raise RNNGuideError(f"{fail}: {err.strerror or err}") from None
    chunks, size = [], 0
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):  # the system's own words, as when a directory is opened to read
            raise RNNGuideError(f"{fail}: {os.strerror(errno.EISDIR)}")
        if not stat.S_ISREG(info.st_mode):
            raise RNNGuideError(f"{fail}: it is {_kind(info.st_mode)}, expected a regular file")
        if info.st_size > limit:
            raise RNNGuideError(f"{fail}: it is {size_text(info.st_size)}, {too_large}")
        while size <= limit:  # read in pieces, so that nothing larger than a piece is allocated ahead
            chunk = os.read(fd, min(2**20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as err:
        raise RNNGuideError(f"{fail}: {err.strerror or err}") from None
    finally:
        os.close(fd)
    if size > limit:
        raise RNNGuideError(f"{fail}: it grew while being read, to {too_large}")
    return b"".join(chunks)
