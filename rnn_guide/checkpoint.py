"""Checkpoints as safetensors files, portable across frameworks and tools.

**Format 2.** The cell's parameters as float32 tensors by name: the plain RNN's five
``W_xh, W_hh, b_h, W_hq, b_q``, or the fields of :class:`~rnn_guide.GRUParams` or
:class:`~rnn_guide.LSTMParams`. Three strings in the file's metadata: ``format_version``
(``"2"``), ``vocab`` (the tokens in index order, a JSON list) and ``meta`` (a JSON object:
``cell`` = ``"rnn"``, ``"gru"`` or ``"lstm"``, ``num_hiddens``, ``preprocessed``,
``framework`` and the training settings given to ``save``, kept unchecked).
Any safetensors reader opens it (e.g. ``safetensors.torch.load_file``); nothing in it is code.

**Loading is lazy and checked.** :func:`load_checkpoint` reads the header, checks every field
(one :class:`~rnn_guide.errors.RNNGuideError` each: the field, what was expected, what was
received), then reads the cell's parameters and never another tensor (a tensor named like
another cell's parameter is refused: the file is not the cell its ``meta`` says). Tokens must be distinct,
non-empty and printable (``"\\n"``, ``"\\t"`` allowed): no terminal escape sequence reaches
generated text, and messages show values with ``ascii()``.

**Saving is atomic**, to exactly the path given (no suffix added): a ``.<name>.<random>.part``
file in the same folder is written, flushed to disk and renamed over the target, so a failure
or Ctrl-C leaves the old file and no partial one. The next save to the same path removes the
``.part`` files of killed saves (a live save locks its own). A new file gets ``0o666`` less the
umask, as ``open()`` gives; a replaced file keeps its mode; a read-only file is refused, not
replaced. :func:`check_writable` runs the checks on the destination alone, before long work.
"""

import contextlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import safetensors.numpy
from safetensors import SafetensorError, safe_open

from .data import UNK
from .errors import RNNGuideError
from .files import remove_leftovers, write_atomically
from .lm_math import CELLS, check_param_shapes
from .validation import is_integer, shown
from .validation import path as path_arg

FORMAT_VERSION = 2
PARAM_NAMES = CELLS["rnn"]._fields  # the plain RNN's; a gated cell's are CELLS[cell]._fields
CELL = "rnn"  # the default cell
ALL_PARAM_NAMES = tuple(dict.fromkeys(name for params in CELLS.values() for name in params._fields))
RESERVED_META = ("cell", "framework", "num_hiddens", "preprocessed")
SAFE_CONTROL_TOKENS = ("\n", "\t")  # control characters safe to print: a raw-text model may have them
_MAX_HEADER = 100_000_000  # safetensors' own limit: bounds what an error message reads


def check_vocab(tokens, where):
    """Check a vocabulary's tokens (distinct printable strings with ``<unk>``); return them as a list."""
    if not isinstance(tokens, (list, tuple)):
        raise RNNGuideError(f"{where}: vocab must be a list of tokens, received {shown(tokens)}")
    seen = {}
    for i, token in enumerate(tokens):
        if not isinstance(token, str) or not token:
            raise RNNGuideError(f"{where}: vocab[{i}] must be a non-empty string, received {shown(token)}")
        if not (token.isprintable() or token in SAFE_CONTROL_TOKENS):  # e.g. a terminal escape sequence
            raise RNNGuideError(
                f"{where}: vocab[{i}] must be printable (or \\n, \\t), received {shown(token)}"
            )
        if token in seen:
            raise RNNGuideError(f"{where}: vocab must hold distinct tokens, received {shown(token)} twice")
        seen[token] = i
    if UNK not in seen:
        raise RNNGuideError(f"{where}: vocab must contain {UNK!r}, received {len(tokens)} tokens without it")
    return list(tokens)


def check_meta(meta, where):
    """Check the ``meta`` object's ``cell``, ``num_hiddens``, ``preprocessed`` and ``framework``."""
    if not isinstance(meta, dict):
        raise RNNGuideError(f"{where}: meta must be a JSON object, received {shown(meta)}")
    for key, expected, ok in [
        ("cell", f"one of {list(CELLS)}", lambda v: isinstance(v, str) and v in CELLS),
        ("num_hiddens", "a positive integer", lambda v: is_integer(v) and v >= 1),
        ("preprocessed", "true or false (a JSON bool)", lambda v: isinstance(v, bool)),
        ("framework", "a framework's name", lambda v: isinstance(v, str) and v.isprintable()),
    ]:
        if key not in meta and key != "framework":
            raise RNNGuideError(f"{where}: meta has no {key!r}, expected {expected}")
        if key in meta and not ok(meta[key]):
            raise RNNGuideError(f"{where}: meta {key!r} must be {expected}, received {shown(meta[key])}")
    return meta


def _parse_json(metadata, key, where):
    try:
        return json.loads(metadata[key])
    except ValueError:
        raise RNNGuideError(f"{where}: {key} must be JSON, received {shown(metadata[key])}") from None


def _check_contents(metadata, dtypes, shapes, where):
    """Check the string metadata and the five tensors' dtypes and shapes; return ``(vocab, meta)``."""
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
    vocab = check_vocab(_parse_json(metadata, "vocab", where), where)
    meta = check_meta(_parse_json(metadata, "meta", where), where)
    cell = meta["cell"]
    names = CELLS[cell]._fields
    absent = [name for name in names if name not in dtypes]
    if absent:
        raise RNNGuideError(
            f"{where}: parameters {absent} are missing, expected {list(names)} for cell {cell!r}"
        )
    alien = [name for name in ALL_PARAM_NAMES if name in dtypes and name not in names]
    if alien:
        raise RNNGuideError(
            f"{where}: parameters {alien} do not belong to cell {cell!r}, expected only {list(names)}"
        )
    for name in names:
        if dtypes[name] != "F32":
            raise RNNGuideError(f"{where}: parameter {name} must be float32 (F32), received {dtypes[name]}")
    h = check_param_shapes(shapes, len(vocab), where=where, cell=cell)
    if meta["num_hiddens"] != h:
        raise RNNGuideError(
            f"{where}: meta 'num_hiddens' is {meta['num_hiddens']}, expected {h} as in {names[1]}"
        )
    return vocab, meta


def _check_finite(tensors, where):
    for name, value in tensors.items():
        if not np.isfinite(value).all():
            raise RNNGuideError(f"{where}: parameter {name} must hold finite numbers, received NaN or inf")


def load_checkpoint(path):
    """Read and check a checkpoint, reading only its cell's parameters.

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
        with safe_open(str(path), framework="numpy") as f:
            names = set(f.keys())
            dtypes = {n: f.get_slice(n).get_dtype() for n in ALL_PARAM_NAMES if n in names}
            shapes = {n: tuple(f.get_slice(n).get_shape()) for n in ALL_PARAM_NAMES if n in names}
            vocab, meta = _check_contents(f.metadata(), dtypes, shapes, where)
            params = {name: f.get_tensor(name) for name in CELLS[meta["cell"]]._fields}  # nothing else
    except OSError as err:
        raise RNNGuideError(f"cannot read {where}: {err.strerror or err}") from None
    except SafetensorError as err:
        raise RNNGuideError(_explain_unreadable(path, err)) from None
    _check_finite(params, where)
    return {"params": params, "vocab": vocab, "meta": meta, "format_version": FORMAT_VERSION}


def _explain_unreadable(path, err):
    """The message for a file that safetensors refuses; it names a metadata field at fault."""
    head, header = b"", None
    with contextlib.suppress(OSError, ValueError, RecursionError), open(path, "rb") as f:
        head = f.read(8)
        size = int.from_bytes(head, "little") if len(head) == 8 else 0
        header = json.loads(f.read(size)) if 0 < size <= _MAX_HEADER else None
    header = header if isinstance(header, dict) else {}
    for name in ALL_PARAM_NAMES:  # a dtype safetensors does not know, e.g. a string tensor
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

    The folder must exist, be a folder and let us create a file in it; ``path`` must not be a
    directory, a special file, or an existing read-only file (refused rather than replaced).

    Raises:
        RNNGuideError: naming the path and the reason.
    """
    path = path_arg(path, "path", "save")
    fail = f"cannot save to {path}"
    try:
        if path.is_dir():
            raise RNNGuideError(f"{fail}: it is a directory, expected a file name such as model.safetensors")
        if os.path.lexists(path) and not path.is_file():
            raise RNNGuideError(f"{fail}: it exists and is not a regular file")
        folder = path.parent
        if not folder.exists():
            raise RNNGuideError(f"{fail}: the folder {folder} does not exist")
        if not folder.is_dir():
            raise RNNGuideError(f"{fail}: {folder} is not a folder")
        mode = path.stat().st_mode & 0o777 if path.is_file() else None
        if mode is not None and not (mode & 0o222 and os.access(path, os.W_OK)):
            raise RNNGuideError(f"{fail}: the file is read-only (mode {mode:o}); make it writable first")
        with tempfile.TemporaryFile(dir=folder):  # can a file be created there? (nothing left behind)
            pass
    except OSError as err:
        raise RNNGuideError(f"{fail}: {err.strerror or err}") from None
    return path


def save_checkpoint(path, params, vocab_tokens, meta):
    """Check, then write a checkpoint atomically to exactly ``path`` (any suffix); return it as a Path.

    Args:
        params: mapping of the cell's parameter names to arrays (stored as float32).
        vocab_tokens: the vocabulary's tokens in index order (a list).
        meta: a JSON dict with ``preprocessed`` (a bool), ``cell`` (default ``"rnn"``) and any
            training settings; ``num_hiddens`` is added from the parameters.

    Raises:
        RNNGuideError: the contents would not load back (the checks of loading), or the
            file cannot be written there (:func:`check_writable`, or while writing).
    """
    path, where = path_arg(path, "path", "save"), "cannot save"
    cell = meta.get("cell", CELL) if isinstance(meta, dict) else CELL
    if not (isinstance(cell, str) and cell in CELLS):
        raise RNNGuideError(f"{where}: meta 'cell' must be one of {list(CELLS)}, received {shown(cell)}")
    names = CELLS[cell]._fields
    missing = [name for name in names if name not in params]
    if missing:
        raise RNNGuideError(f"{where}: parameters {missing} are missing, expected {list(names)}")
    tensors = {name: np.asarray(params[name]) for name in names}
    for name, value in tensors.items():
        if value.dtype.kind not in "fiu":
            raise RNNGuideError(f"{where}: parameter {name} must be real numbers, received {value.dtype}")
    tensors = {name: np.asarray(value, np.float32, order="C") for name, value in tensors.items()}
    if not isinstance(meta, dict):
        raise RNNGuideError(f"{where}: meta must be a dict, received {shown(meta)}")
    vocab = check_vocab(vocab_tokens, where)
    shapes = {name: value.shape for name, value in tensors.items()}
    h = check_param_shapes(shapes, len(vocab), where, cell)
    meta = {"cell": cell, "num_hiddens": h, **meta}
    try:
        metadata = {"format_version": str(FORMAT_VERSION), "vocab": json.dumps(vocab)}
        metadata["meta"] = json.dumps(meta, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise RNNGuideError(f"{where}: meta must hold JSON values only ({err})") from None
    _check_contents(metadata, dict.fromkeys(names, "F32"), shapes, where)
    _check_finite(tensors, where)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path  # write through a link
    check_writable(target)
    remove_leftovers(target)
    write_atomically(target, safetensors.numpy.save(tensors, metadata=metadata), "save to")
    return path
