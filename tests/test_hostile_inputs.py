"""Hostile inputs: every public entry point refuses a bad argument with the package's own error.

Each row is ``(id, call, match, error)``: ``call`` must raise exactly ``error``, and the regex
``match`` must be found in the message and names the bad value (or, for a mismatch, both sides).
Rows in ``FRAMEWORK_ROWS`` take a :class:`Ctx` (a backend and a few of its tensors) and run on
every backend under test through the ``backend`` fixture; ``PLAIN_ROWS`` take only a temporary
folder. Every error must be raised by rnn_guide itself, never by a framework underneath.
The checkpoint and command-line rows live in their own test file.
"""

import functools
import importlib.util
import math
import os
import re
import string
import warnings
from typing import NamedTuple

import numpy as np
import pytest

import rnn_guide
from rnn_guide import FrameworkNotInstalledError, RNNGuideError, ShapeError
from rnn_guide.data import TimeMachine, Vocab, download_time_machine, preprocess
from rnn_guide.gradients import (
    clipping_experiment,
    gradient_norms,
    recurrent_weights,
    state_jacobians,
    truncation_experiment,
)
from rnn_guide.language_model import RNNLM
from rnn_guide.ngram import NgramModel
from rnn_guide.timing import time_concat
from rnn_guide.training import TrainingDivergedError, train

TEXT = "the time traveller for so it will be convenient to speak of him was expounding " * 3
NAN, INF = float("nan"), float("inf")


class Row(NamedTuple):
    id: str
    call: object  # call(ctx) for a framework row, call(tmp_path) for a plain one
    match: str  # a regex that must be found in the message; it names the bad value
    error: type  # the exact type that must be raised


def row(id, call, match, error=RNNGuideError):
    return Row(id, call, match, error)


def tiny_data(text=TEXT, raw=False, batch_size=8):
    """A TimeMachine small enough to train for an epoch in a blink."""
    return TimeMachine(batch_size=batch_size, num_steps=4, num_train=64, num_val=16, text=text, raw=raw)


class Ctx:
    """What a framework row works with: the backend, a temporary folder, tensors and a tiny model."""

    def __init__(self, d2l, tmp):
        self.d2l, self.tmp = d2l, tmp

    @functools.cached_property
    def p(self):  # RNNParams for 3 inputs, 4 hidden units, 3 outputs
        return rnn_guide.init_params(3, 4, 3, self.d2l)

    @functools.cached_property
    def X(self):  # (batch_size=2, num_inputs=3)
        return self.d2l.tensor(np.ones((2, 3), np.float32))

    @functools.cached_property
    def H(self):  # (batch_size=2, num_hiddens=4)
        return self.d2l.zeros((2, 4))

    def X_as(self, dtype):
        return self.d2l.tensor(np.ones((2, 3)), dtype=dtype)

    def ints(self, shape):
        return self.d2l.tensor(np.ones(shape, np.int32))

    @property
    def wide(self):
        """float64, except on JAX, whose arrays are float32 at most unless x64 is switched on."""
        return "float16" if self.d2l.name == "jax" else "float64"

    @property
    def other_framework(self):
        return "jax" if self.d2l.name == "numpy" else "numpy"

    @functools.cached_property
    def data(self):
        return tiny_data()

    @functools.cached_property
    def model(self):
        return RNNLM(self.data.vocab, 8, self.d2l, seed=0)

    def train(self, **kwargs):
        return train(self.model, self.data, **{"epochs": 1, "progress": False, **kwargs})

    def predict(self, prefix="the", num_chars=5, **kwargs):
        return self.model.predict(prefix, num_chars, **kwargs)


def _numpy_tensors_with_framework_weights(c):
    if c.d2l.name == "numpy":
        pytest.skip("NumPy arrays are this backend's own tensors")
    return rnn_guide.rnn_step(np.ones((2, 3), np.float32), c.H, *c.p[:3])


def _diverged_model_predicts(c):
    c.model.params = c.model.params._replace(b_q=c.d2l.tensor(np.full(len(c.data.vocab), np.nan)))
    return c.predict()


LETTERS_28 = Vocab(string.ascii_lowercase + " ")  # the book's 28 tokens with <unk>
TEXT_71 = (string.ascii_letters + string.digits + ".,;:!?'-") * 12  # 70 characters + <unk>

# fmt: off
FRAMEWORK_ROWS = [
    # ---- the guide's functions: tensors, not lists; one framework; one floating dtype; shapes
    row("rnn_step X_t list", lambda c: rnn_guide.rnn_step([[1.0] * 3] * 2, c.H, *c.p[:3]),
        r"rnn_step: X_t must be a tensor .*received a list: \[\[1\.0, 1\.0, 1\.0\]"),
    row("rnn_forward X list", lambda c: rnn_guide.rnn_forward([[[1.0] * 3]], None, *c.p[:3]),
        r"rnn_forward: X must be a tensor .*received a list"),
    row("mlp_hidden X list", lambda c: rnn_guide.mlp_hidden([[1.0, 2.0, 3.0]], c.p.W_xh, c.p.b_h),
        r"mlp_hidden: X must be a tensor .*received a list: \[\[1\.0, 2\.0, 3\.0\]\]"),
    row("concat_check X list", lambda c: rnn_guide.concat_check([[1.0] * 3] * 2, c.H, c.p.W_xh, c.p.W_hh),
        r"concat_check: X must be a tensor .*received a list"),
    row("rnn_step H_prev None", lambda c: rnn_guide.rnn_step(c.X, None, *c.p[:3]),
        r"rnn_step: H_prev must be a tensor .*received a NoneType: None"),
    row("rnn_step float64 X_t", lambda c: rnn_guide.rnn_step(c.X_as(c.wide), c.H, *c.p[:3]),
        r"rnn_step: X_t has dtype float(64|16) but W_xh has dtype float32"),
    row("rnn_step int X_t", lambda c: rnn_guide.rnn_step(c.X_as("int32"), c.H, *c.p[:3]),
        r"rnn_step: X_t has dtype int32 but W_xh has dtype float32"),
    row("mlp_hidden float64 X", lambda c: rnn_guide.mlp_hidden(c.X_as(c.wide), c.p.W_xh, c.p.b_h),
        r"mlp_hidden: X has dtype float(64|16) but W_xh has dtype float32"),
    row("concat_check int tensors",
        lambda c: rnn_guide.concat_check(*(c.ints(s) for s in ((2, 3), (2, 4), (3, 4), (4, 4)))),
        r"concat_check: the tensors have dtype int(32|64), expected a floating dtype"),
    row("backend= another framework",
        lambda c: rnn_guide.rnn_step(c.X, c.H, *c.p[:3], backend=c.other_framework),
        r"rnn_step: backend='(numpy|jax)' does not match the tensors, which are \w+ tensors"),
    row("backend= unknown name",
        lambda c: rnn_guide.rnn_forward(c.d2l.tensor(np.ones((1, 2, 3))), None, *c.p[:3], backend="pytorh"),
        r"rnn_forward: backend='pytorh' is invalid: unknown framework 'pytorh'"),
    row("mixed frameworks", _numpy_tensors_with_framework_weights,
        r"different frameworks cannot be mixed, received X_t from numpy and H_prev from \w+"),
    row("rnn_step W_xh shape", lambda c: rnn_guide.rnn_step(c.d2l.tensor(np.ones((2, 5))), c.H, *c.p[:3]),
        r"rnn_step: W_xh has shape \(3, 4\), expected \(5, 4\)", ShapeError),
    row("rnn_forward 2-d X", lambda c: rnn_guide.rnn_forward(c.X, None, *c.p[:3]),
        r"rnn_forward: X must have shape \(num_steps, batch_size, num_inputs\), received shape \(2, 3\)",
        ShapeError),
    row("rnn_forward no steps", lambda c: rnn_guide.rnn_forward(c.d2l.zeros((0, 2, 3)), None, *c.p[:3]),
        r"at least one time step, received num_steps = 0", ShapeError),
    row("mlp_hidden b_h shape", lambda c: rnn_guide.mlp_hidden(c.X, c.p.W_xh, c.d2l.zeros((5,))),
        r"mlp_hidden: b_h has shape \(5,\), expected \(4,\) or \(1, 4\)", ShapeError),
    row("concat_check H shape",
        lambda c: rnn_guide.concat_check(c.X, c.d2l.zeros((3, 4)), c.p.W_xh, c.p.W_hh),
        r"concat_check: H has shape \(3, 4\), expected \(2, 4\)", ShapeError),
    # ---- parameters and seeds
    row("init_params seed -1", lambda c: rnn_guide.init_params(3, 4, 3, c.d2l, seed=-1),
        r"init_params: seed must be a non-negative integer, received -1"),
    row("init_params seed 1.5", lambda c: rnn_guide.init_params(3, 4, 3, c.d2l, seed=1.5),
        r"init_params: seed must be a non-negative integer, received 1\.5"),
    row("init_params sigma inf", lambda c: rnn_guide.init_params(3, 4, 3, c.d2l, sigma=INF),
        r"init_params: sigma must be a positive finite number .*received inf"),
    row("init_params num_hiddens 0", lambda c: rnn_guide.init_params(3, 0, 3, c.d2l),
        r"init_params: num_hiddens must be a positive integer, received 0"),
    row("RNNLM seed 1.5", lambda c: RNNLM(c.data.vocab, 8, c.d2l, seed=1.5),
        r"seed must be a non-negative integer, received 1\.5"),
    row("RNNLM seed -1", lambda c: RNNLM(c.data.vocab, 8, c.d2l, seed=-1),
        r"seed must be a non-negative integer, received -1"),
    row("d2l.seed -1", lambda c: c.d2l.seed(-1), r"seed must be a non-negative integer, received -1"),
    row("d2l.seed 1.5", lambda c: c.d2l.seed(1.5), r"seed must be a non-negative integer, received 1\.5"),
    row("d2l.seed 2**32", lambda c: c.d2l.seed(2**32), r"seed must be at most .*received 4294967296"),
    row("use seed -1", lambda c: rnn_guide.use(c.d2l.name, seed=-1),
        r"use: seed must be a non-negative integer, received -1"),
    row("normal std -1", lambda c: c.d2l.normal((2, 2), std=-1),
        r"normal: std must be a positive finite number .*received -1"),
    row("normal mean nan", lambda c: c.d2l.normal((2, 2), mean=NAN),
        r"normal: mean must be a finite number, received nan"),
    row("normal shape", lambda c: c.d2l.normal((2, -1)), r"normal: shape must be .*received \(2, -1\)"),
    row("zeros shape str", lambda c: c.d2l.zeros("ab"),
        r"zeros: shape must be a tuple of non-negative ints such as \(3, 4\), received 'ab'"),
    row("tensor of str", lambda c: c.d2l.tensor("abc"), r"tensor: data must be numbers .*received 'abc'"),
    row("tensor ragged", lambda c: c.d2l.tensor([[1, 2], [3]]),
        r"tensor: data must be numbers .*received \[\[1, 2\], \[3\]\]"),
    row("tensor bad dtype", lambda c: c.d2l.tensor([1.0], dtype="floaty"),
        r"tensor: dtype must be a NumPy dtype .*received 'floaty'"),
    row("one_hot depth 0", lambda c: c.d2l.one_hot(c.d2l.tensor([0, 1]), 0),
        r"one_hot: depth must be a positive integer, received 0"),
    row("clip theta -1", lambda c: c.d2l.clip_by_global_norm([c.H], -1),
        r"clip_by_global_norm: theta must be a positive number .*received -1"),
    row("clip theta nan", lambda c: c.d2l.clip_by_global_norm([c.H], NAN),
        r"clip_by_global_norm: theta must be a positive number .*received nan"),
    # ---- training
    row("train on a list", lambda c: train(c.model, [1, 2, 3]),
        r"train: data must be a rnn_guide\.TimeMachine, received list"),
    row("train a non-model", lambda c: train("model", c.data),
        r"train: model must be a rnn_guide\.RNNLM, received str"),
    row("train seed -1", lambda c: c.train(seed=-1),
        r"train: seed must be a non-negative integer, received -1"),
    row("train seed 1.5", lambda c: c.train(seed=1.5),
        r"train: seed must be a non-negative integer, received 1\.5"),
    row("train lr inf", lambda c: c.train(lr=INF),
        r"train: lr must be a positive finite number .*received inf"),
    row("train lr True", lambda c: c.train(lr=True),
        r"train: lr must be a positive finite number .*received True"),
    row("train clip inf", lambda c: c.train(clip=INF),
        r"train: clip must be a positive finite number .*received inf"),
    row("train clip nan", lambda c: c.train(clip=NAN),
        r"train: clip must be a positive finite number .*received nan"),
    row("train clip 0", lambda c: c.train(clip=0),
        r"train: clip must be a positive finite number .*received 0"),
    row("train epochs 0", lambda c: c.train(epochs=0),
        r"train: epochs must be a positive integer, received 0"),
    row("train partition", lambda c: c.train(partition="shuffled"),
        r"train: partition must be one of 'random', 'sequential', received 'shuffled'"),
    row("train full bptt, random", lambda c: c.train(bptt="full"),
        r"bptt='full' needs partition='sequential', received partition='random'"),
    row("train progress 'no'", lambda c: c.train(progress="no"),
        r"train: progress must be True or False, received 'no'"),
    row("28-token model, 5-token text",
        lambda c: train(RNNLM(LETTERS_28, 8, c.d2l), tiny_data("abc " * 40), progress=False),
        r"the model's vocabulary \(28 tokens\) differs from the data's \(5 tokens\)"),
    row("28-token model, 71-token text",
        lambda c: train(RNNLM(LETTERS_28, 8, c.d2l), tiny_data(TEXT_71, raw=True), progress=False),
        r"the model's vocabulary \(28 tokens\) differs from the data's \(71 tokens\)"),
    row("training diverges", lambda c: c.train(lr=1e38, clip=None, epochs=2),
        r"the training loss became (nan|inf) in epoch 1 \(lr=1e\+38, clip=None", TrainingDivergedError),
    # ---- generation and scoring
    row("temperature inf", lambda c: c.predict(temperature=INF),
        r"predict: temperature must be a finite number >= 0\.001 .*received inf"),
    row("temperature True", lambda c: c.predict(temperature=True),
        r"predict: temperature must be a finite number >= 0\.001 .*received True"),
    row("temperature 1e-310", lambda c: c.predict(temperature=1e-310),
        r"predict: temperature must be a finite number >= 0\.001 .*received 1e-310"),
    row("temperature 0", lambda c: c.predict(temperature=0), r"temperature must be .*received 0"),
    row("temperature '1'", lambda c: c.predict(temperature="1"), r"temperature must be .*received '1'"),
    row("predict seed -1", lambda c: c.predict(temperature=1.0, seed=-1),
        r"predict: seed must be a non-negative integer, received -1"),
    row("predict seed 1.5", lambda c: c.predict(temperature=1.0, seed=1.5),
        r"predict: seed must be a non-negative integer, received 1\.5"),
    row("predict empty prefix", lambda c: c.predict(""), r"prefix must be a non-empty string, received ''"),
    row("predict prefix 5", lambda c: c.predict(5), r"prefix must be a non-empty string, received 5"),
    row("predict num_chars -1", lambda c: c.predict(num_chars=-1),
        r"predict: num_chars must be a non-negative integer, received -1"),
    row("predict num_chars 2.5", lambda c: c.predict(num_chars=2.5),
        r"predict: num_chars must be a non-negative integer, received 2\.5"),
    row("predict, NaN parameters", _diverged_model_predicts, r"scores are not finite \(NaN or inf\)"),
    row("score position 0", lambda c: c.model.score(TEXT[:50], positions=[0]),
        r"positions to score must lie in \[1, 49\] .*positions=\[0\]"),
    row("score positions of str", lambda c: c.model.score(TEXT[:50], positions=["a"]),
        r"score: positions must hold integers, received 'a' at position 0"),
    row("score start 0", lambda c: c.model.score(TEXT[:50], start=0),
        r"score: start must be a positive integer, received 0"),
    row("score bytes", lambda c: c.model.score(b"the time"),
        r"score: text must be a str.*received b'the time'"),
    row("next_char_probabilities ''", lambda c: c.model.next_char_probabilities(""),
        r"prefix must be a non-empty string, received ''"),
    row("gradient_norms input_scale", lambda c: gradient_norms(c.d2l, 5, 1.0, input_scale=-1),
        r"gradient_norms: input_scale must be a finite number >= 0, received -1"),
]
# fmt: on


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
    row("download timeout 0", lambda t: download_time_machine(t, timeout=0),
        r"download_time_machine: timeout must be a positive finite number, received 0"),
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


def _raises_as_the_row_says(row, call):
    with pytest.raises(Exception) as info:  # noqa: B017 - the exact type is asserted below
        call()
    err = info.value
    assert type(err) is row.error, f"{row.id}: expected {row.error.__name__}, got {type(err).__name__}: {err}"
    assert type(err).__module__.startswith("rnn_guide"), "a framework's error reached the user"
    message = str(err)
    assert re.search(row.match, message), f"{row.id}: {row.match!r} not found in {message!r}"
    assert "Traceback" not in message and 'File "' not in message


@pytest.mark.parametrize("row", FRAMEWORK_ROWS, ids=[r.id for r in FRAMEWORK_ROWS])
def test_framework_row(row, backend, tmp_path):
    _raises_as_the_row_says(row, lambda: row.call(Ctx(backend, tmp_path)))


@pytest.mark.parametrize("row", PLAIN_ROWS, ids=[r.id for r in PLAIN_ROWS])
def test_plain_row(row, tmp_path):
    _raises_as_the_row_says(row, lambda: row.call(tmp_path))


def test_the_table_is_large_enough_and_ids_are_unique():
    rows = FRAMEWORK_ROWS + PLAIN_ROWS
    assert len(rows) >= 40
    assert len({r.id for r in rows}) == len(rows)
    for row in rows:
        assert issubclass(row.error, (RNNGuideError, FrameworkNotInstalledError))


# ------------------------------------------------------------ what must work
def test_numpy_scalars_are_numbers(backend):
    c = Ctx(backend, None)
    history = c.train(lr=np.float32(1.0), clip=np.float64(1.0), seed=np.int64(3), epochs=np.int32(1))
    assert history.epochs == 1 and math.isfinite(history.train_perplexity[0])
    text = c.predict(temperature=np.float32(0.5), seed=np.uint8(2), num_chars=np.int64(4))
    assert len(text) == len("the") + 4
    assert backend.shape(backend.normal(np.int64(2), mean=np.float32(0), std=np.float64(2))) == (2,)


@pytest.mark.parametrize("clip", [1e-300, 1e300, float(np.finfo(np.float32).max) * 2])
def test_any_positive_finite_clip_trains(backend, clip):
    history = Ctx(backend, None).train(clip=clip)
    assert math.isfinite(history.train_perplexity[0])


def test_clip_by_global_norm_for_any_finite_threshold(backend):
    g = [backend.tensor([3.0, 4.0])]
    for theta, expected in [(1e300, [3.0, 4.0]), (INF, [3.0, 4.0]), (2.5, [1.5, 2.0]), (1e-300, [0.0, 0.0])]:
        clipped, norm = backend.clip_by_global_norm(g, theta)
        np.testing.assert_allclose(backend.numpy(clipped[0]), expected, rtol=1e-6, atol=1e-30)
        assert float(backend.numpy(norm)) == pytest.approx(5.0)
    zeros, _ = backend.clip_by_global_norm([backend.zeros((3,))], 1e-300)  # no 0 / 0
    np.testing.assert_array_equal(backend.numpy(zeros[0]), np.zeros(3))


def test_generation_never_writes_unk(backend):
    """A model that scores <unk> highest still writes only characters, greedy or sampled."""
    c = Ctx(backend, None)
    vocab = c.data.vocab
    b_q = np.zeros(len(vocab), np.float32)
    b_q[vocab.unk] = 50.0  # <unk> would win every argmax and almost every draw
    c.model.params = c.model.params._replace(b_q=backend.tensor(b_q))
    for kwargs in ({}, {"temperature": 1.0, "seed": 0}, {"temperature": 1e-3, "seed": 1}):
        text = c.predict("time", 200, **kwargs)
        assert "<unk>" not in text and len(text) == 204, kwargs


@pytest.mark.parametrize(("prefix", "became"), [("123", " "), ("\U0001f600", " "), ("42!", " ")])
def test_a_prefix_without_letters_warns_and_says_what_it_became(prefix, became):
    model = RNNLM(tiny_data().vocab, 8, "numpy")
    expected = f"prefix {prefix!r} became {became!r} after preprocessing (the book's text keeps only letters"
    with pytest.warns(UserWarning, match=re.escape(expected)):
        assert model.predict(prefix, 3).startswith(became)


def test_an_ordinary_prefix_does_not_warn():
    model = RNNLM(tiny_data().vocab, 8, "numpy")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.predict("The Time!", 3).startswith("the time ")
