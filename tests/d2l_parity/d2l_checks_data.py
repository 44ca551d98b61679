"""Checks of the table rows about The Time Machine pipeline and about installing d2l.

Each check takes a ``Ctx`` (see ``d2l_checks_ops``) and asserts what its cell says.
"""

import ast
import hashlib
import importlib.metadata
import inspect
import re
import sys
from importlib import resources

import numpy as np
import pytest
from packaging.requirements import Requirement

import rnn_guide
from rnn_guide import data

from .d2l_subprocess import python


def _ours_time_machine():
    return rnn_guide.TimeMachine(batch_size=1024, num_steps=32)  # the packaged text


def check_tm_text(ctx):
    tm = ctx.request.getfixturevalue("d2l_time_machine")
    raw = ctx.request.getfixturevalue("book_file").read_text(encoding="utf-8")
    ours = _ours_time_machine()
    text = tm._preprocess(raw)
    assert text == data.preprocess(raw) == ours.text
    assert tm._tokenize(text) == list(ours.text)
    assert len(tm.vocab) == len(ours.vocab) == 28
    assert tm.vocab.idx_to_token == ours.vocab.idx_to_token
    assert tm.vocab.token_to_idx == ours.vocab.token_to_idx
    assert tm.vocab.token_freqs == ours.vocab.token_freqs
    assert tm.vocab.unk == ours.vocab.unk
    # and on raw characters, with reserved tokens
    tokens = list("Hello, World! 42")
    theirs = ctx.d2l.Vocab(tokens, reserved_tokens=["<eos>"])
    mine = rnn_guide.Vocab(tokens, reserved_tokens=["<eos>"])
    assert theirs.idx_to_token == mine.idx_to_token
    assert theirs[tokens] == mine[tokens]


def _rows(batches, to_numpy=np.asarray):
    """The 33-character windows of a list of (X, Y) batches, as one int64 array."""
    X = np.concatenate([to_numpy(X) for X, _ in batches]).astype(np.int64)
    Y = np.concatenate([to_numpy(Y) for _, Y in batches]).astype(np.int64)
    np.testing.assert_array_equal(X[:, 1:], Y[:, :-1])
    return np.concatenate([X, Y[:, -1:]], axis=1)


def _sorted_rows(a):
    return a[np.lexsort(a.T[::-1])]


def check_tm_windows(ctx):
    tm = ctx.request.getfixturevalue("d2l_time_machine")
    ours = _ours_time_machine()
    num_train, num_val = tm.num_train, tm.num_val
    assert (num_train, num_val) == (ours.num_train, ours.num_val) == (10000, 5000)
    windows = np.lib.stride_tricks.sliding_window_view(ours.corpus, 33)  # every window, in order
    X, Y = (np.asarray(ctx.d2l.numpy(a)).astype(np.int64) for a in (tm.X, tm.Y))
    assert X.shape == (len(ours.corpus) - 32, 32)
    np.testing.assert_array_equal(X[: num_train + num_val], windows[: num_train + num_val, :-1])
    np.testing.assert_array_equal(Y[: num_train + num_val], windows[: num_train + num_val, 1:])
    # validation: the same batches in the same order
    theirs, mine = list(tm.val_dataloader()), list(ours.val_batches())
    assert [b[0].shape[0] for b in theirs] == [b[0].shape[0] for b in mine] == [1024] * 4 + [904]
    np.testing.assert_array_equal(_rows(theirs, ctx.d2l.numpy), _rows(mine))
    # training: 10 batches, the same windows, each once (both shuffle, with different generators)
    theirs, mine = list(tm.train_dataloader()), list(ours.train_batches(np.random.default_rng(0)))
    assert [b[0].shape[0] for b in theirs] == [b[0].shape[0] for b in mine] == [1024] * 9 + [784]
    expected = _sorted_rows(windows[:num_train].astype(np.int64))
    np.testing.assert_array_equal(_sorted_rows(_rows(theirs, ctx.d2l.numpy)), expected)
    np.testing.assert_array_equal(_sorted_rows(_rows(mine)), expected)


def check_tm_dtype(ctx):
    tm = ctx.request.getfixturevalue("d2l_time_machine")
    X, _ = next(iter(tm.train_dataloader()))
    kind = {"pytorch": "torch", "tensorflow": "tensorflow", "jax": "numpy", "mxnet": "mxnet"}[ctx.fw]
    assert type(X).__module__.split(".")[0] == kind
    assert ("NumPy" in ctx.cell) == (kind == "numpy")
    assert ctx.cell.startswith(np.asarray(ctx.d2l.numpy(X)).dtype.name + " ")
    X, _ = next(iter(_ours_time_machine().train_batches()))
    assert type(X) is np.ndarray and X.dtype == np.int64


def check_tm_folder(ctx):
    tm = ctx.request.getfixturevalue("d2l_time_machine")  # built in a working directory beside ../data
    assert "root" not in inspect.signature(ctx.d2l.TimeMachine).parameters
    assert tm.root == "../data"
    assert ctx.d2l.DATA_URL.startswith("http://")
    packaged = resources.files("rnn_guide") / "texts" / data.FILENAME
    assert hashlib.sha1(packaged.read_bytes()).hexdigest() == data.SHA1
    assert data.read_time_machine(environ={}) == packaged.read_bytes().decode("utf-8")
    assert not hasattr(data, "urllib")  # nothing is downloaded
    other = ctx.request.getfixturevalue("tmp_path")
    (other / data.FILENAME).write_bytes(packaged.read_bytes())
    assert data.read_time_machine(environ={data.DATA_DIR_VAR: str(other)}) == data.read_time_machine()


class _Response:
    content = b"not the book"

    def read(self):
        return self.content

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def check_download_sha1(ctx):
    monkeypatch = ctx.request.getfixturevalue("monkeypatch")
    tmp = ctx.request.getfixturevalue("tmp_path")
    monkeypatch.setattr(ctx.d2l.requests, "get", lambda url, **kwargs: _Response())
    path = ctx.d2l.download(ctx.d2l.DATA_URL + "timemachine.txt", str(tmp / "d2l"), data.SHA1)
    assert open(path, "rb").read() == b"not the book"  # kept, and no error
    (tmp / "ours").mkdir()
    (tmp / "ours" / data.FILENAME).write_bytes(_Response.content)
    found = hashlib.sha1(_Response.content).hexdigest()
    with pytest.raises(rnn_guide.RNNGuideError, match=f"has sha1 {found}, expected {data.SHA1}"):
        data.read_time_machine(environ={data.DATA_DIR_VAR: str(tmp / "ours")})


def check_pins(ctx):
    requires = {
        Requirement(r).name.lower(): str(Requirement(r).specifier) for r in importlib.metadata.requires("d2l")
    }
    pins = re.findall(r"([\w-]+)==([\d.]+)", ctx.cell)
    assert pins
    for name, version in pins:
        assert requires[name] == f"=={version}"
    assert importlib.metadata.version("d2l") == "1.0.3"


#: what every d2l backend module imports besides its framework (and numpy)
COMMON_IMPORTS = {"pandas", "requests", "IPython", "matplotlib", "matplotlib_inline"}
FRAMEWORK_MODULE = {"pytorch": "torch", "tensorflow": "tensorflow", "jax": "jax", "mxnet": "mxnet"}


def check_imports(ctx):
    tree = ast.parse(inspect.getsource(ctx.d2l))
    imported = set()
    for node in tree.body:  # module level: what `from d2l import <fw>` runs
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"numpy", FRAMEWORK_MODULE[ctx.fw]}
    assert COMMON_IMPORTS <= third_party
    expected = set() if ctx.cell == "nothing more" else set(ctx.cell.split(", "))
    assert third_party - COMMON_IMPORTS == expected


def check_keras(ctx):
    import tensorflow as tf

    assert "TF_USE_LEGACY_KERAS=1" in ctx.cell
    assert tf.keras.__name__.startswith("tf_keras")  # this env gives d2l the Keras 2 it was written for
    assert len(ctx.d2l.RNNScratch(28, 32).trainable_variables) == 3
    code = (
        "import keras\nfrom d2l import tensorflow as d2l\n"
        "print(keras.__version__.split('.')[0], len(d2l.RNNScratch(28, 32).trainable_variables))"
    )
    assert python(code, TF_USE_LEGACY_KERAS="0") == ["3", "0"]


def check_set_np(ctx):
    assert "npx.set_np()" in ctx.cell
    code = (
        "from d2l import mxnet as d2l\nfrom mxnet import npx\nprint(npx.is_np_array())\n"
        "import rnn_guide\nrnn_guide.get_backend('mxnet')\nprint(npx.is_np_array())"
    )
    assert python(code) == ["False", "True"]


CHECKS = {
    "tm_text": check_tm_text,
    "tm_windows": check_tm_windows,
    "tm_dtype": check_tm_dtype,
    "tm_folder": check_tm_folder,
    "download_sha1": check_download_sha1,
    "pins": check_pins,
    "imports": check_imports,
    "keras": check_keras,
    "set_np": check_set_np,
}
