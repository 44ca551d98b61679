"""Checkpoints as safetensors files, portable across frameworks and tools.

**Format 2.** The cell's parameters as float32 tensors by name: the plain RNN's five
``W_xh, W_hh, b_h, W_hq, b_q``, or the fields of :class:`~rnn_guide.GRUParams` or
:class:`~rnn_guide.LSTMParams`; a deep or bidirectional model's as ``layers.{l}.{k}.{name}``,
``W_hq`` and ``b_q`` (``rnn_guide._lm_params``). Three strings in the file's metadata:
``format_version`` (``"2"``), ``vocab`` (the tokens in index order, a JSON list) and ``meta`` (a
JSON object: ``cell`` = ``"rnn"``, ``"gru"`` or ``"lstm"``, ``num_hiddens``, ``preprocessed``,
``framework``, for a stack ``num_layers`` and ``bidirectional`` (absent: 1 and false, so a file
of one layer reads as before), and the training settings given to ``save``, kept unchecked).
Any safetensors reader opens it (e.g. ``safetensors.torch.load_file``); nothing in it is code.

**Loading is lazy and checked.** :func:`load_checkpoint` reads the header, checks every field (one
:class:`~rnn_guide.errors.RNNGuideError` each, naming the field, the expected and the received value),
then reads the model's parameters and no other tensor (one named like another cell's or another
stack's parameter is refused: the file is not the model its ``meta`` says). Tokens are distinct,
non-empty and printable (``"\\n"``, ``"\\t"`` allowed; ``rnn_guide._checkpoint_meta``), so no
terminal escape sequence reaches generated text; messages show values with ``ascii()``. Sizes are
bounded (:mod:`rnn_guide.limits`): ``MAX_VOCAB_SIZE`` tokens of ``MAX_TOKEN_CHARS`` characters at
most, JSON nested ``MAX_JSON_DEPTH`` deep at most (measured before parsing), ``MAX_NUM_LAYERS``
layers, and parameters finite and within :func:`largest_weight`, so no score overflows float32.

**Saving is atomic**, to exactly the path given (no suffix added), by ``rnn_guide._files``: a failure or
Ctrl-C leaves the old file and no partial one; a new file gets ``0o666`` less the umask, a replaced file
keeps its mode, a read-only file is refused. :func:`check_writable` runs the checks on the destination
alone, before long work. Settings in ``meta`` must be JSON values: NumPy scalars become Python numbers;
NaN, inf or another value is refused by its key (``meta['lr'] must be a finite number, received nan``).
"""

import json
import os
from pathlib import Path

import numpy as np
import safetensors.numpy
from safetensors import SafetensorError, safe_open

from . import _files
from ._cells import CELLS
from ._checkpoint_meta import RESERVED_META, check_meta, check_vocab, parse_json, plain_json, structure_of
from ._lm_params import CELL_PARAM_NAMES as ALL_PARAM_NAMES
from ._lm_params import (
    check_shapes,
    describe,
    flat_params,
    is_param_name,
    is_stacked,
    nested_params,
    param_names,
)
from ._validation import path as path_arg
from ._validation import shown
from .errors import RNNGuideError

FORMAT_VERSION = 2
PARAM_NAMES = CELLS["rnn"].params._fields  # the plain RNN's; a gated cell's are CELLS[cell].params._fields
CELL = "rnn"  # the default cell


def _check_contents(metadata, present, info, where):
    """Check the string metadata, then the names, dtypes and shapes of the model's tensors (``present``:
    the parameter names in the file; ``info(name) -> (dtype, shape)``); return ``(vocab, meta)``."""
    missing = [key for key in ("format_version", "vocab", "meta") if key not in (metadata or {})]
    if missing:
        raise RNNGuideError(f"{where} is not an rnn_guide checkpoint: its metadata lacks {missing}")
    version = metadata["format_version"]
    if not (version.isascii() and version.isdigit()):
        raise RNNGuideError(f"{where}: format_version must be an integer, received {shown(version)}")
    if int(version) != FORMAT_VERSION:
        raise RNNGuideError(
            f"{where} has format_version {int(version)}, expected {FORMAT_VERSION}: "
            "another version of rnn_guide wrote it"
        )
    vocab = check_vocab(parse_json(metadata, "vocab", where), where)
    meta = check_meta(parse_json(metadata, "meta", where), where)
    cell, (L, K) = meta["cell"], structure_of(meta)
    names, model = param_names(cell, L, K), describe(cell, L, K)
    absent = [name for name in names if name not in present]
    if absent:
        raise RNNGuideError(
            f"{where}: parameters {shown(absent, 300)} are missing, expected {shown(list(names), 300)} "
            f"for {model}"
        )
    alien = [name for name in ALL_PARAM_NAMES if name in present and name not in names]
    alien += sorted(name for name in present if name.startswith("layers.") and name not in names)
    if alien:
        raise RNNGuideError(
            f"{where}: parameters {shown(alien, 300)} do not belong to {model}, expected only "
            f"{shown(list(names), 300)}"
        )
    dtypes, shapes = {}, {}
    for name in names:
        dtypes[name], shapes[name] = info(name)
        if dtypes[name] != "F32":
            raise RNNGuideError(f"{where}: parameter {name} must be float32 (F32), received {dtypes[name]}")
    h = check_shapes(shapes, len(vocab), cell, L, K, where)
    if meta["num_hiddens"] != h:
        raise RNNGuideError(
            f"{where}: meta 'num_hiddens' is {meta['num_hiddens']}, expected {h} as in {names[1]}"
        )
    return vocab, meta


def largest_weight(vocab_size, num_hiddens):
    """The largest parameter magnitude a checkpoint may hold: float32's largest / (2 (V + h + 1)).

    Each sum of the forward pass adds at most ``vocab_size + num_hiddens + 1`` terms, a parameter times
    an input, state or gate in [-1, 1] (the LSTM's cell enters only a tanh): below this bound no sum
    overflows, with 2x to spare for rounding. Trained weights stay below 100.
    """
    return float(np.finfo(np.float32).max) / (2 * (vocab_size + num_hiddens + 1))


def _check_values(tensors, vocab_size, num_hiddens, where, num_directions=1):
    """Refuse a parameter holding NaN or inf, or a magnitude above :func:`largest_weight` (a layer
    above a bidirectional one reads ``2 * num_hiddens`` states, more than V when that is larger)."""
    bound = largest_weight(max(vocab_size, num_directions * num_hiddens), num_hiddens)
    for name, value in tensors.items():
        if not np.isfinite(value).all():
            raise RNNGuideError(f"{where}: parameter {name} must hold finite numbers, received NaN or inf")
        peak = float(np.abs(value).max(initial=0.0))
        if peak > bound:
            raise RNNGuideError(
                f"{where}: parameter {name} holds a value of magnitude {peak:.3g}, expected at most "
                f"{bound:.3g} (largest_weight), or the forward pass overflows: the parameters diverged"
            )


def load_checkpoint(path):
    """Read and check a checkpoint, reading only the parameters its model names.

    Returns:
        ``{'params': {name: float32 array}, 'vocab': [tokens], 'meta': dict, 'format_version': 2}``.

    Raises:
        RNNGuideError: the path is missing, a directory or unreadable, the file is not safetensors
            (random bytes, truncated), or a field is wrong (see the module).
    """
    path = path_arg(path, "path", "load_checkpoint")
    where = f"checkpoint {path}"
    try:
        if path.is_dir():
            raise RNNGuideError(f"no checkpoint at {path}: it is a directory, expected a .safetensors file")
        if not path.exists():
            raise RNNGuideError(f"no checkpoint at {path}: the file does not exist")
        if not path.is_file():
            raise RNNGuideError(f"no checkpoint at {path}: it is not a regular file")
        open(path, "rb").close()  # the real reason, if any: safetensors words every failure "No such file"
        with safe_open(str(path), framework="numpy") as f:
            present = {name for name in f.keys() if is_param_name(name)}

            def info(name):
                return f.get_slice(name).get_dtype(), tuple(f.get_slice(name).get_shape())

            vocab, meta = _check_contents(f.metadata(), present, info, where)
            names = param_names(meta["cell"], *structure_of(meta))
            params = {name: f.get_tensor(name) for name in names}  # nothing else
    except OSError as err:
        raise RNNGuideError(_files.cannot_read(path, err)) from None
    except SafetensorError as err:
        raise RNNGuideError(_explain_unreadable(path, err)) from None
    _check_values(params, len(vocab), meta["num_hiddens"], where, structure_of(meta)[1])
    return {"params": params, "vocab": vocab, "meta": meta, "format_version": FORMAT_VERSION}


def _explain_unreadable(path, err):
    """The message for a file that safetensors refuses; it names a metadata field at fault."""
    head, header = _files.read_header(path)
    for name in filter(is_param_name, header):  # a dtype safetensors does not know, e.g. a string tensor
        dtype = header[name].get("dtype") if isinstance(header.get(name), dict) else "F32"
        if dtype != "F32":
            return f"checkpoint {path}: parameter {name} must be float32 (F32), received {shown(dtype)}"
    fields = header.get("__metadata__")
    for key, value in fields.items() if isinstance(fields, dict) else ():
        if not isinstance(value, str):
            return f"checkpoint {path}: metadata {shown(key)} must be a string, received {shown(value)}"
    message = f"{path} is not a readable safetensors checkpoint (truncated, damaged or another kind of file)"
    if head[:2] == b"PK":
        return f"{message}: it looks like a zip (.npz) file; checkpoints are safetensors files"
    return f"{message}: {err}"


def check_writable(path):
    """Check, before any long work, that a checkpoint can be saved at ``path``; return it as a Path.

    Raises:
        RNNGuideError: the folder is missing or lets us create no file, or ``path`` is a directory,
            a special file or a read-only file (refused rather than replaced); naming the reason.
    """
    return _files.check_destination(path_arg(path, "path", "save"))


def save_checkpoint(path, params, vocab_tokens, meta):
    """Check, then write a checkpoint atomically to exactly ``path`` (any suffix); return it as a Path.

    Args:
        params: mapping of the model's parameter names (``rnn_guide._lm_params.param_names``)
            to arrays (stored as float32).
        vocab_tokens: the vocabulary's tokens in index order (a list).
        meta: a JSON dict with ``preprocessed`` (a bool), ``cell`` (default ``"rnn"``), for a stack
            ``num_layers`` and ``bidirectional``, and any training settings; ``num_hiddens`` is
            added from the parameters.

    Raises:
        RNNGuideError: the contents would not load back (the checks of loading), or the
            file cannot be written there (:func:`check_writable`, or while writing).
    """
    path, where = path_arg(path, "path", "save"), "cannot save"
    if not isinstance(meta, dict):
        raise RNNGuideError(f"{where}: meta must be a dict, received {shown(meta)}")
    meta = plain_json(meta, "meta", where)
    cell = meta.setdefault("cell", CELL)
    L, K = structure_of(check_meta(meta, where, required=()))  # they name the tensors
    names = param_names(cell, L, K)
    missing = [name for name in names if name not in params]
    if missing:
        raise RNNGuideError(
            f"{where}: parameters {shown(missing, 300)} are missing, expected {shown(list(names), 300)}"
        )
    tensors = {name: np.asarray(params[name]) for name in names}
    for name, value in tensors.items():
        if value.dtype.kind not in "fiu":
            raise RNNGuideError(f"{where}: parameter {name} must be real numbers, received {value.dtype}")
    tensors = {name: np.asarray(value, np.float32, order="C") for name, value in tensors.items()}
    vocab = check_vocab(vocab_tokens, where)
    shapes = {name: value.shape for name, value in tensors.items()}
    h = check_shapes(shapes, len(vocab), cell, L, K, where)
    meta = {"num_hiddens": h, **meta}  # JSON values only, after _plain_json
    metadata = {"format_version": str(FORMAT_VERSION), "vocab": json.dumps(vocab)}
    metadata["meta"] = json.dumps(meta, sort_keys=True, allow_nan=False)
    _check_contents(metadata, set(names), lambda name: ("F32", shapes[name]), where)
    _check_values(tensors, len(vocab), h, where, K)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path  # write through a link
    check_writable(target)
    _files.remove_leftovers(target)
    _files.write_atomically(target, safetensors.numpy.save(tensors, metadata=metadata), "save to")
    return path


# ------------------------------------------------------------------ a model's file
def save_model(model, path, hyperparameters):
    """Save an :class:`~rnn_guide.RNNLM` (the work of ``model.save``): its tensors by
    ``rnn_guide._lm_params.param_names``, its vocabulary, and ``meta`` with its cell, framework,
    preprocessing, for a stack ``num_layers`` and ``bidirectional``, and ``hyperparameters``."""
    check_writable(path)
    taken = sorted(set(hyperparameters) & set(RESERVED_META))
    if taken:
        raise RNNGuideError(
            f"save: settings may not be named {taken}, which the checkpoint uses for the model itself"
        )
    arrays = {name: model.d2l.numpy(p) for name, p in flat_params(model.params).items()}
    meta = {**hyperparameters, "framework": model.d2l.name, "preprocessed": model.preprocessed}
    meta["cell"] = model.cell
    if is_stacked(model.num_layers, 2 if model.bidirectional else 1):
        meta.update(num_layers=model.num_layers, bidirectional=model.bidirectional)
    return save_checkpoint(path, arrays, model.vocab.idx_to_token, meta)


def load_model(path):
    """The arguments of :class:`~rnn_guide.RNNLM` read from a checkpoint (the work of ``RNNLM.load``).

    Returns:
        ``({'params', 'cell', 'num_layers', 'bidirectional', 'preprocessed'}, tokens, meta)``, the
        parameters as NumPy arrays in the model's record (``rnn_guide._lm_params.nested_params``).
    """
    ckpt = load_checkpoint(path)
    meta = ckpt["meta"]
    L, K = structure_of(meta)
    params = nested_params(ckpt["params"], meta["cell"], L, K)
    settings = {"params": params, "cell": meta["cell"], "num_layers": L, "bidirectional": K == 2}
    return {**settings, "preprocessed": meta["preprocessed"]}, ckpt["vocab"], meta
