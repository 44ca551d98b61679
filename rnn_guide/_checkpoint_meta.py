"""The metadata of a checkpoint: its vocabulary and its ``meta`` object, checked field by field.

:mod:`rnn_guide.checkpoint` reads and writes the file; the functions here check the two JSON
strings it keeps beside the tensors, each failure one :class:`~rnn_guide.errors.RNNGuideError`
that names the field, the expected and the received value (shown with ``ascii()``, so no control
character reaches the terminal). Sizes are bounded by :mod:`rnn_guide.limits`.
"""

import json
import math

import numpy as np

from . import _files
from ._cells import CELLS
from ._validation import is_integer, shown
from .data import UNK
from .errors import RNNGuideError
from .limits import MAX_JSON_DEPTH, MAX_NUM_LAYERS, MAX_TOKEN_CHARS, MAX_VOCAB_SIZE

#: The keys of ``meta`` that describe the model itself; ``save`` refuses settings named like them.
RESERVED_META = ("cell", "framework", "num_hiddens", "preprocessed", "num_layers", "bidirectional")
_TOO_DEEP = f"more than {MAX_JSON_DEPTH} deep (rnn_guide.limits.MAX_JSON_DEPTH)"
SAFE_CONTROL_TOKENS = ("\n", "\t")  # control characters safe to print: a raw-text model may have them


def check_vocab(tokens, where):
    """Check a vocabulary's tokens (distinct printable strings with ``<unk>``); return them as a list."""
    if not isinstance(tokens, (list, tuple)):
        raise RNNGuideError(f"{where}: vocab must be a list of tokens, received {shown(tokens)}")
    if len(tokens) > MAX_VOCAB_SIZE:
        raise RNNGuideError(
            f"{where}: vocab holds {len(tokens):,} tokens, expected at most {MAX_VOCAB_SIZE:,} "
            "(rnn_guide.limits.MAX_VOCAB_SIZE)"
        )
    seen = {}
    for i, token in enumerate(tokens):
        if not isinstance(token, str) or not token:
            raise RNNGuideError(f"{where}: vocab[{i}] must be a non-empty string, received {shown(token)}")
        if len(token) > MAX_TOKEN_CHARS:
            raise RNNGuideError(
                f"{where}: vocab[{i}] has {len(token):,} characters, expected at most {MAX_TOKEN_CHARS} "
                f"(rnn_guide.limits.MAX_TOKEN_CHARS), received {shown(token)}"
            )
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


def check_meta(meta, where, required=("cell", "num_hiddens", "preprocessed")):
    """Check the ``meta`` object's ``cell``, ``num_hiddens``, ``preprocessed``, ``framework``,
    ``num_layers`` and ``bidirectional`` (each of them that is present; ``required`` must be)."""
    if not isinstance(meta, dict):
        raise RNNGuideError(f"{where}: meta must be a JSON object, received {shown(meta)}")
    for key, expected, ok in [
        ("cell", f"one of {list(CELLS)}", lambda v: isinstance(v, str) and v in CELLS),
        ("num_hiddens", "a positive integer", lambda v: is_integer(v) and v >= 1),
        ("preprocessed", "true or false (a JSON bool)", lambda v: isinstance(v, bool)),
        ("framework", "a framework's name", lambda v: isinstance(v, str) and v.isprintable()),
        (
            "num_layers",
            f"an integer from 1 to {MAX_NUM_LAYERS}",
            lambda v: is_integer(v) and 1 <= v <= MAX_NUM_LAYERS,
        ),
        ("bidirectional", "true or false (a JSON bool)", lambda v: isinstance(v, bool)),
    ]:
        if key not in meta and key in required:
            raise RNNGuideError(f"{where}: meta has no {key!r}, expected {expected}")
        if key in meta and not ok(meta[key]):
            raise RNNGuideError(f"{where}: meta {key!r} must be {expected}, received {shown(meta[key])}")
    return meta


def parse_json(metadata, key, where):
    """The JSON value of ``metadata[key]``, its nesting measured before it is parsed."""
    text = metadata[key]
    if _files.nested_deeper_than(text, MAX_JSON_DEPTH):
        raise RNNGuideError(f"{where}: {key} nests lists and objects {_TOO_DEEP}, received {shown(text)}")
    try:
        return json.loads(text)
    except ValueError:
        raise RNNGuideError(f"{where}: {key} must be JSON, received {shown(text)}") from None


def plain_json(value, name, where, depth=1):
    """``value`` with NumPy scalars as Python ones; refuse, by ``name``, what JSON does not hold."""
    if isinstance(value, np.generic) and not isinstance(value, np.str_):
        value = value.item()  # np.int64(5) -> 5, np.float32(0.5) -> 0.5, np.bool_ -> bool
    if isinstance(value, float) and not math.isfinite(value):
        raise RNNGuideError(f"{where}: {name} must be a finite number, received {shown(value)}")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dict, list, tuple)) and depth > MAX_JSON_DEPTH:
        raise RNNGuideError(f"{where}: {name} nests lists and dicts {_TOO_DEEP}")
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise RNNGuideError(f"{where}: the keys of {name} must be strings, received {shown(key)}")
        return {k: plain_json(v, f"{name}[{k!r}]", where, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(v, f"{name}[{i}]", where, depth + 1) for i, v in enumerate(value)]
    kind = type(value).__name__
    raise RNNGuideError(f"{where}: {name} must be a JSON value, received {shown(value)} of type {kind}")


def structure_of(meta):
    """``(num_layers, num_directions)`` of a checked ``meta``: (1, 1) where it names neither."""
    return meta.get("num_layers", 1), 2 if meta.get("bidirectional", False) else 1
