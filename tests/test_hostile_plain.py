"""Hostile inputs that need no framework: text, data, vocabularies, paths, settings.

Each row is ``(id, call, match, error)``, as in test_hostile_inputs.py: ``call(tmp_path)`` must
raise exactly ``error``, and the regex ``match`` must be found in the message.
"""

import importlib.util
import os

import numpy as np
import pytest
from hostile import INF, TEXT, raises_as_the_row_says, row, tiny_data

import rnn_guide
from rnn_guide import FrameworkNotInstalledError, RNNGuideError, ShapeError
from rnn_guide.data import TimeMachine, Vocab, preprocess, read_time_machine
from rnn_guide.gradients import (
    clipping_experiment,
    gradient_norms,
    recurrent_weights,
    state_jacobians,
    truncation_experiment,
)
from rnn_guide.ngram import NgramModel
from rnn_guide.timing import time_concat


def _missing_framework(tmp):
    for name, module in (
        ("mxnet", "mxnet"),
        ("pytorch", "torch"),
        ("jax", "jax"),
        ("tensorflow", "tensorflow"),
    ):
        if importlib.util.find_spec(module) is None:
            return rnn_guide.get_backend(name)
    pytest.skip("every framework imports here")


def _with_env(name, value, call):
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        return call()
    finally:
        os.environ.pop(name) if old is None else os.environ.__setitem__(name, old)


def _latin1_file(tmp):
    path = tmp / "latin1.txt"
    path.write_bytes("caf\xe9 au lait ".encode("latin-1") * 20)
    return TimeMachine(path=path)


# fmt: off
PLAIN_ROWS = [
    # ---- the text
    row("text bytes", lambda t: TimeMachine(text=b"abc"),
        r"TimeMachine: text must be a str.*received b'abc'"),
    row("text 5", lambda t: TimeMachine(text=5), r"TimeMachine: text must be a str, received 5"),
    row("path not UTF-8", _latin1_file,
        r"cannot read the text file .*latin1\.txt: expected UTF-8 .*byte 0xe9"),
    row("path missing", lambda t: TimeMachine(path=t / "missing.txt"),
        r"cannot read the text file .*missing\.txt: No such file"),
    row("path a folder", lambda t: TimeMachine(path=t), r"cannot read the text file .*: Is a directory"),
    row("path 5", lambda t: TimeMachine(path=5), r"TimeMachine: path must be a file path .*received 5"),
    row("text and path", lambda t: TimeMachine(text="abc", path="x.txt"),
        r"give either text or path, not both; received path='x\.txt'"),
    row("raw 'no'", lambda t: TimeMachine(text=TEXT, raw="no"),
        r"TimeMachine: raw must be True or False, received 'no'"),
    row("batch_size 0", lambda t: TimeMachine(batch_size=0, text=TEXT),
        r"TimeMachine: batch_size must be a positive integer, received 0"),
    row("num_steps 2.5", lambda t: TimeMachine(num_steps=2.5, text=TEXT),
        r"TimeMachine: num_steps must be a positive integer, received 2\.5"),
    row("num_val -1", lambda t: TimeMachine(num_val=-1, text=TEXT),
        r"TimeMachine: num_val must be a non-negative integer, received -1"),
    row("text too short", lambda t: TimeMachine(text="abc " * 10), r"the text has 40 characters"),
    row("train_batches partition", lambda t: tiny_data().train_batches(partition="shuffled"),
        r"train_batches: partition must be one of .*received 'shuffled'"),
    row("val_batches partition", lambda t: tiny_data().val_batches("shuffled"),
        r"val_batches: partition must be one of .*received 'shuffled'"),
    row("train_batches rng 5", lambda t: tiny_data().train_batches(rng=5),
        r"train_batches: rng must be a numpy\.random\.Generator .*received 5"),
    row("sequential batch too large",
        lambda t: tiny_data(batch_size=64).train_batches(partition="sequential"),
        r"sequential partitioning cuts 68 characters into batch_size = 64 streams"),
    row("Vocab(5)", lambda t: Vocab(5), r"Vocab: tokens must be a str or a sequence of str, received 5"),
    row("Vocab non-str token", lambda t: Vocab(["a", 1]), r"Vocab: tokens must be .*received \['a', 1\]"),
    row("decode out of range", lambda t: Vocab("abc").decode([1, 99]),
        r"Vocab\.decode: indices must hold integers in \[0, 3\], received 99 at position 1"),
    row("preprocess bytes", lambda t: preprocess(b"abc"), r"preprocess: text must be a str.*received b'abc'"),
    row("data folder missing", lambda t: _with_env("RNN_GUIDE_DATA_DIR", str(t / "nope"), TimeMachine),
        r"RNN_GUIDE_DATA_DIR=.*nope names a folder that does not exist"),
    row("data folder without the book", lambda t: read_time_machine(environ={"RNN_GUIDE_DATA_DIR": str(t)}),
        r"RNN_GUIDE_DATA_DIR=.* names a folder with no timemachine\.txt: expected d2l's text"),
    # ---- frameworks
    row("unknown framework", lambda t: rnn_guide.use("tensorflo"),
        r"unknown framework 'tensorflo': expected one of"),
    row("framework 5", lambda t: rnn_guide.get_backend(5), r"framework must be a string .*received 5"),
    row("use seed 2**32", lambda t: rnn_guide.use("numpy", seed=2**32),
        r"use: seed must be at most .*received 4294967296"),
    row("bad RNN_GUIDE_FRAMEWORK", lambda t: _with_env("RNN_GUIDE_FRAMEWORK", "bogus", rnn_guide.use),
        r"RNN_GUIDE_FRAMEWORK='bogus' is invalid"),
    row("framework not installed", _missing_framework,
        r"framework '\w+' is not available here", FrameworkNotInstalledError),
    row("backend_of a str", lambda t: rnn_guide.backend_of("abc"),
        r"expected a tensor of one of .*received a str: 'abc'"),
    row("show a str", lambda t: rnn_guide.show("abc"), r"received a str: 'abc'"),
    row("show decimals -1", lambda t: rnn_guide.show([1.5], decimals=-1),
        r"show: decimals must be a non-negative integer, received -1"),
    # ---- the n-gram baseline, timing and the gradient experiments
    row("NgramModel n 0", lambda t: NgramModel(0, 28),
        r"NgramModel: n must be a positive integer, received 0"),
    row("NgramModel k -1", lambda t: NgramModel(2, 28, k=-1),
        r"NgramModel: k must be a positive finite number .*received -1"),
    row("NgramModel fit id 9", lambda t: NgramModel(2, 5).fit([0, 1, 9]),
        r"NgramModel\.fit: corpus must hold integers in \[0, 4\], received 9 at position 2"),
    row("NgramModel fit str", lambda t: NgramModel(2, 5).fit("abc"),
        r"NgramModel\.fit: corpus must be a sequence of integers, received 'abc'"),
    row("NgramModel evaluate start", lambda t: NgramModel(2, 5).fit([0, 1, 2]).evaluate([0, 1, 2], start=1.5),
        r"NgramModel\.evaluate: start must be a non-negative integer, received 1\.5"),
    row("time_concat sizes", lambda t: time_concat("numpy", sizes="big"),
        r"time_concat: sizes must be .*received 'big'"),
    row("time_concat repeats 0", lambda t: time_concat("numpy", repeats=0),
        r"time_concat: repeats must be a positive integer, received 0"),
    row("time_concat seed -1", lambda t: time_concat("numpy", (2,), seed=-1),
        r"time_concat: seed must be a non-negative integer, received -1"),
    row("gradient_norms num_steps 0", lambda t: gradient_norms("numpy", 0, 1.0),
        r"gradient_norms: num_steps must be a positive integer, received 0"),
    row("gradient_norms radius inf", lambda t: gradient_norms("numpy", 5, INF),
        r"gradient_norms: radius must be a positive finite number .*received inf"),
    row("gradient_norms seed 1.5", lambda t: gradient_norms("numpy", 5, 1.0, seed=1.5),
        r"gradient_norms: seed must be a non-negative integer, received 1\.5"),
    row("recurrent_weights num_hiddens 0", lambda t: recurrent_weights(0, 1.0),
        r"recurrent_weights: num_hiddens must be a positive integer, received 0"),
    row("state_jacobians shapes", lambda t: state_jacobians("numpy", np.ones((3, 4)), np.ones((2, 3))),
        r"state_jacobians: W_hh must have shape .*received \(3, 4\) and \(2, 3\)", ShapeError),
    row("clipping_experiment on a list", lambda t: clipping_experiment("numpy", [1, 2, 3]),
        r"clipping_experiment: data must be a rnn_guide\.TimeMachine, received list"),
    row("clipping_experiment clip inf", lambda t: clipping_experiment("numpy", tiny_data(), clip=INF),
        r"clipping_experiment: clip must be a positive finite number .*received inf"),
    row("truncation_experiment seed -1", lambda t: truncation_experiment("numpy", tiny_data(), seed=-1),
        r"truncation_experiment: seed must be a non-negative integer, received -1"),
]
# fmt: on


@pytest.mark.parametrize("row", PLAIN_ROWS, ids=[r.id for r in PLAIN_ROWS])
def test_plain_row(row, tmp_path):
    raises_as_the_row_says(row, lambda: row.call(tmp_path))


def test_the_table_is_large_enough_and_ids_are_unique():
    assert len(PLAIN_ROWS) >= 30
    assert len({r.id for r in PLAIN_ROWS}) == len(PLAIN_ROWS)
    for r in PLAIN_ROWS:
        assert issubclass(r.error, (RNNGuideError, FrameworkNotInstalledError))
