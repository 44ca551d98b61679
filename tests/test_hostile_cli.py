"""Hostile inputs to checkpoints and the command line: one row per case, each a clear one-line error.

``CHECKPOINTS`` builds a bad checkpoint file per row; each is loaded through the API (an
``RNNGuideError`` whose message names the field and shows the value) and through
``rnn-guide generate`` (exit code 2, one line on stderr, no raw escape sequence).
``ARGUMENTS`` are bad command lines: the parser's rows exit through argparse with code 2,
the others reach the command and fail before any training.
"""

import json
import os
import struct

import numpy as np
import pytest
import safetensors.numpy

from rnn_guide import RNNLM, RNNGuideError
from rnn_guide._cli import main

VOCAB = [" ", "<unk>", "a", "b"]
V, H = len(VOCAB), 2
META = {"cell": "rnn", "num_hiddens": H, "preprocessed": True, "framework": "numpy"}


def tensors():
    rng = np.random.default_rng(0)
    shapes = {"W_xh": (V, H), "W_hh": (H, H), "b_h": (H,), "W_hq": (H, V), "b_q": (V,)}
    return {k: rng.normal(size=s).astype(np.float32) for k, s in shapes.items()}


def metadata(**changes):
    fields = {"format_version": "2", "vocab": json.dumps(VOCAB), "meta": json.dumps(META)}
    return {k: v for k, v in {**fields, **changes}.items() if v is not None}


def meta(**changes):
    return metadata(meta=json.dumps({**META, **changes}))


def vocab(tokens):
    return metadata(vocab=json.dumps(tokens))


def file(meta_fields=None, **tensor_changes):
    """Bytes of a safetensors file: the good tensors with ``tensor_changes`` (None drops one)."""
    t = {k: v for k, v in {**tensors(), **tensor_changes}.items() if v is not None}
    return safetensors.numpy.save(t, metadata=metadata() if meta_fields is None else meta_fields)


def raw(header, data=b""):
    """Bytes of a hand-made safetensors file: what safetensors' own writer would refuse to write."""
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


GOOD = file()
NO_UNK = [" ", "a", "b", "c"]
F32 = {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}

# (id, bytes of the file (None: no file; "dir": a directory), fragments the message must hold)
CHECKPOINTS = [
    ("missing", None, ["does not exist"]),
    ("directory", "dir", ["is a directory"]),
    ("empty", b"", ["not a readable safetensors checkpoint"]),
    ("random-bytes", os.urandom(4096), ["not a readable safetensors checkpoint"]),
    ("truncated", GOOD[: len(GOOD) // 2], ["not a readable safetensors checkpoint"]),
    ("truncated-header", GOOD[:40], ["not a readable safetensors checkpoint"]),
    ("zip-npz", b"PK\x03\x04" + b"\0" * 100, ["zip (.npz)"]),
    ("no-metadata", safetensors.numpy.save(tensors()), ["lacks ['format_version', 'vocab', 'meta']"]),
    ("no-format-version", file(metadata(format_version=None)), ["lacks ['format_version']"]),
    ("format-version-float", file(metadata(format_version="1.0")), ["format_version", "'1.0'"]),
    ("format-version-list", file(metadata(format_version="[2]")), ["format_version", "'[2]'"]),
    ("format-version-old", file(metadata(format_version="1")), ["format_version 1, expected 2"]),
    ("format-version-new", file(metadata(format_version="3")), ["format_version 3, expected 2"]),
    (
        "format-version-not-str",
        raw({"__metadata__": {"format_version": ["2"]}}),
        ["'format_version'", "['2']"],
    ),
    ("meta-not-str", raw({"__metadata__": {"meta": {"a": 1}}, "x": F32}, b"\0" * 4), ["'meta'", "{'a': 1}"]),
    ("no-meta", file(metadata(meta=None)), ["lacks ['meta']"]),
    ("meta-not-json", file(metadata(meta="{oops")), ["meta must be JSON", "'{oops'"]),
    ("meta-not-object", file(metadata(meta="[1, 2]")), ["meta must be a JSON object", "[1, 2]"]),
    ("preprocessed-string", file(meta(preprocessed="false")), ["'preprocessed'", "'false'"]),
    ("preprocessed-int", file(meta(preprocessed=0)), ["'preprocessed'", "received 0"]),
    (
        "no-preprocessed",
        file(metadata(meta=json.dumps({"cell": "rnn", "num_hiddens": H}))),
        ["'preprocessed'"],
    ),
    ("cell-cnn", file(meta(cell="cnn")), ["'cell' must be one of ['rnn', 'gru', 'lstm']", "'cnn'"]),
    ("cell-lstm", file(meta(cell="lstm")), ["parameters ['W_xi'", "for cell 'lstm'"]),
    ("num-hiddens-string", file(meta(num_hiddens="2")), ["'num_hiddens' must be a positive integer", "'2'"]),
    ("num-hiddens-mismatch", file(meta(num_hiddens=3)), ["'num_hiddens' is 3, expected 2 as in W_hh"]),
    ("framework-number", file(meta(framework=5)), ["'framework'", "received 5"]),
    ("vocab-not-json", file(metadata(vocab="[' ', 'a'")), ["vocab must be JSON"]),
    ("vocab-not-list", file(metadata(vocab='"ab"')), ["vocab must be a list", "'ab'"]),
    ("vocab-no-unk", file(vocab(NO_UNK)), ["vocab must contain '<unk>'"]),
    ("vocab-duplicate", file(vocab([" ", "<unk>", "a", "a"])), ["distinct", "'a' twice"]),
    ("vocab-number", file(vocab([" ", "<unk>", 5, "b"])), ["vocab[2] must be a non-empty string", "5"]),
    ("vocab-empty-token", file(vocab([" ", "<unk>", "", "b"])), ["vocab[2] must be a non-empty string"]),
    ("vocab-escape", file(vocab([" ", "<unk>", "\x1b[2J", "b"])), ["vocab[2] must be printable", "\\x1b[2J"]),
    ("vocab-osc", file(vocab([" ", "<unk>", "a", "\x1b]0;pwned\x07"])), ["vocab[3] must be printable"]),
    ("vocab-carriage-return", file(vocab([" ", "<unk>", "\r", "b"])), ["vocab[2] must be printable", "\\r"]),
    ("vocab-bidi", file(vocab([" ", "<unk>", "a", "\u202e"])), ["vocab[3] must be printable", "\\u202e"]),
    ("vocab-size", file(vocab(VOCAB[:3])), ["do not fit a vocabulary of 3"]),
    ("missing-tensor", file(b_q=None), ["parameters ['b_q'] are missing"]),
    ("int-tensor", file(W_xh=np.ones((V, H), np.int32)), ["W_xh must be float32", "I32"]),
    ("float64-tensor", file(b_h=np.ones(H)), ["b_h must be float32", "F64"]),
    (
        "string-tensor",
        raw({"W_xh": {**F32, "dtype": "STRING"}}, b"\0" * 4),
        ["W_xh must be float32", "'STRING'"],
    ),
    (
        "scalar-W_hh",
        file(W_hh=np.array(1.0, np.float32)),
        ["W_hh has shape ()", "(num_hiddens, num_hiddens)"],
    ),
    ("non-square-W_hh", file(W_hh=np.ones((H, H + 1), np.float32)), ["W_hh has shape (2, 3)"]),
    ("nan-tensor", file(W_hq=np.full((H, V), np.nan, np.float32)), ["W_hq must hold finite numbers"]),
]


def write(tmp_path, content):
    path = tmp_path / "bad.safetensors"
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize("content, fragments", [r[1:] for r in CHECKPOINTS], ids=[r[0] for r in CHECKPOINTS])
def test_a_bad_checkpoint_is_refused_by_the_api(backend, tmp_path, content, fragments):
    with pytest.raises(RNNGuideError) as info:
        RNNLM.load(write(tmp_path, content), backend.name)
    message = str(info.value)
    assert all(f in message for f in fragments), message
    assert "\x1b" not in message and "allow_pickle" not in message


@pytest.mark.parametrize("content, fragments", [r[1:] for r in CHECKPOINTS], ids=[r[0] for r in CHECKPOINTS])
def test_a_bad_checkpoint_is_one_line_from_generate(backend, tmp_path, capsys, content, fragments):
    path = write(tmp_path, content)
    assert main(["generate", "--checkpoint", str(path), "-f", backend.name]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("rnn-guide: error: ") and err.count("\n") == 1, err
    assert all(f in err for f in fragments) and "\x1b" not in err, err


def test_the_good_file_of_the_table_loads(tmp_path):
    assert RNNLM.load(write(tmp_path, GOOD), "numpy").vocab.idx_to_token == VOCAB


def _setup(tmp_path):
    """Files the command-line rows refer to, as ``{name: path}``."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 au lait ".encode("latin-1") * 100)
    (tmp_path / "readonly.safetensors").write_bytes(b"old")
    (tmp_path / "readonly.safetensors").chmod(0o444)
    names = {"folder": "folder", "latin1": "latin1.txt", "readonly": "readonly.safetensors"}
    return {key: str(tmp_path / name) for key, name in names.items()}


# (id, argv with {name} placeholders, exit code, fragments of stderr)
ARGUMENTS = [
    ("clip-huge", ["train", "--clip", "1e300"], 2, ["--clip", "at most 1e+06", "1e+300"]),
    ("clip-inf", ["train", "--clip", "inf"], 2, ["--clip", "positive finite number", "received inf"]),
    ("clip-zero", ["train", "--clip", "0"], 2, ["--clip", "received 0.0"]),
    ("lr-nan", ["train", "--lr", "nan"], 2, ["--lr", "received nan"]),
    ("lr-huge", ["train", "--lr", "1e7"], 2, ["--lr", "at most 1e+06", "received 10000000.0"]),
    ("epochs-float", ["train", "--epochs", "1.5"], 2, ["--epochs", "expected an integer", "'1.5'"]),
    ("seed-negative", ["train", "--seed", "-1"], 2, ["--seed", "non-negative integer, received -1"]),
    ("seed-too-large", ["train", "--seed", str(2**40)], 2, ["--seed", "at most 2**32 - 1", str(2**40)]),
    (
        "temperature-tiny",
        ["generate", "--checkpoint", "m.safetensors", "--temperature", "1e-310"],
        2,
        ["--temperature", ">= 0.001", "1e-310"],
    ),
    (
        "save-missing-folder",
        ["train", "--save", "/nonexistent/x.safetensors"],
        2,
        ["/nonexistent does not exist"],
    ),
    ("save-folder", ["train", "--save", "{folder}"], 2, ["folder: it is a directory"]),
    ("save-read-only", ["train", "--save", "{readonly}"], 2, ["read-only (mode 444)"]),
    ("save-empty", ["train", "--save", ""], 2, ["path must be a file path", "''"]),
    ("text-missing", ["train", "--text", "/nonexistent.txt"], 2, ["/nonexistent.txt"]),
    ("text-folder", ["train", "--text", "{folder}"], 2, ["folder"]),
    ("text-not-utf8", ["train", "--text", "{latin1}"], 2, ["latin1.txt", "UTF-8"]),
    ("framework-unknown", ["check", "-f", "caffe"], 2, ["unknown framework 'caffe'"]),
    ("generate-folder", ["generate", "--checkpoint", "{folder}"], 2, ["is a directory"]),
    (
        "generate-num-chars",
        ["generate", "--checkpoint", "m", "--num-chars", "-1"],
        2,
        ["--num-chars", "non-negative integer, received -1"],
    ),
    ("generate-temperature", ["generate", "--checkpoint", "m", "--temperature", "inf"], 2, ["--temperature"]),
    ("bench-python", ["bench", "--python", "/nonexistent/python"], 2, ["--python", "'/nonexistent/python'"]),
    ("bench-python-not-executable", ["bench", "--python", "{latin1}"], 2, ["--python", "latin1.txt"]),
]


@pytest.mark.parametrize("argv, code, fragments", [r[1:] for r in ARGUMENTS], ids=[r[0] for r in ARGUMENTS])
def test_a_bad_command_line_is_one_clear_line(backend, tmp_path, capsys, monkeypatch, argv, code, fragments):
    import rnn_guide.training

    monkeypatch.setattr(rnn_guide.training, "train", lambda *a, **k: pytest.fail("training started"))
    monkeypatch.setenv("RNN_GUIDE_FRAMEWORK", backend.name)
    files = _setup(tmp_path)
    argv = [a.format(**files) for a in argv]
    try:
        assert main(argv) == code
    except SystemExit as exit:  # the parser's errors
        assert exit.code == code
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith(("rnn-guide: error: ", "rnn-guide ")), err
    assert all(f in err for f in fragments), err
