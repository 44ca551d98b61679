"""Checkpoints as plain ``.npz`` files, portable across frameworks.

A checkpoint holds NumPy arrays only (loaded with ``allow_pickle=False``):
the five parameters, the vocabulary as an array of strings, the metadata as
a JSON string, and a format version. It is written to a temporary file in
the same folder and renamed into place, so an interrupted save never leaves
a broken checkpoint behind.
"""

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .errors import RNNGuideError
from .lm_math import check_param_shapes

FORMAT_VERSION = 1
PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hq", "b_q")


def save_checkpoint(path, params, vocab_tokens, meta):
    """Write a checkpoint atomically and return its path.

    Args:
        path: target file; ``.npz`` is appended if missing.
        params: mapping of the five parameter names to NumPy arrays.
        vocab_tokens: the vocabulary's tokens in index order.
        meta: JSON-serialisable hyperparameters.
    """
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    missing = [name for name in PARAM_NAMES if name not in params]
    if missing:
        raise RNNGuideError(f"cannot save: parameters {missing} are missing, expected {list(PARAM_NAMES)}")
    arrays = {name: np.asarray(params[name], dtype=np.float32) for name in PARAM_NAMES}
    arrays["vocab"] = np.asarray(list(vocab_tokens), dtype=str)
    arrays["meta"] = np.asarray(json.dumps(meta, sort_keys=True))
    arrays["format_version"] = np.asarray(FORMAT_VERSION)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise RNNGuideError(f"cannot save to {path}: the folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def load_checkpoint(path):
    """Read and validate a checkpoint.

    Returns:
        ``{'params': {name: array}, 'vocab': [tokens], 'meta': dict, 'format_version': int}``.

    Raises:
        RNNGuideError: the file is missing, truncated, not a checkpoint, of another
            format version, or its arrays do not fit together.
    """
    path = Path(path)
    if not path.is_file():
        raise RNNGuideError(f"no checkpoint at {path}: the file does not exist")
    try:
        with np.load(path, allow_pickle=False) as f:
            data = {key: f[key] for key in f.files}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError) as err:
        raise RNNGuideError(
            f"{path} is not a readable rnn_guide checkpoint (truncated or damaged?): "
            f"{type(err).__name__}: {err}"
        ) from err
    expected = set(PARAM_NAMES) | {"vocab", "meta", "format_version"}
    missing = sorted(expected - set(data))
    if missing:
        raise RNNGuideError(f"{path} is not an rnn_guide checkpoint: it lacks {missing}")
    version = int(data["format_version"])
    if version != FORMAT_VERSION:
        raise RNNGuideError(
            f"{path} has checkpoint format version {version}, expected {FORMAT_VERSION}; "
            "it was written by another version of rnn_guide"
        )
    vocab = [str(t) for t in data["vocab"]]
    params = {name: data[name] for name in PARAM_NAMES}
    check_param_shapes({k: v.shape for k, v in params.items()}, len(vocab), where=str(path))
    return {
        "params": params,
        "vocab": vocab,
        "meta": json.loads(str(data["meta"])),
        "format_version": version,
    }
