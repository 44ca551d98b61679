"""Hostile inputs: every public entry point refuses a bad argument with the package's own error.

Each row is ``(id, call, match, error)``: ``call`` must raise exactly ``error``, and the regex
``match`` must be found in the message and names the bad value (or, for a mismatch, both sides).
Rows in ``FRAMEWORK_ROWS`` take a :class:`Ctx` (a backend and a few of its tensors) and run on
every backend under test through the ``backend`` fixture; ``PLAIN_ROWS`` take only a temporary
folder. Every error must be raised by rnn_guide itself, never by a framework underneath.
The plain rows are in test_hostile_plain.py, the checkpoint and command-line rows in
test_hostile_cli.py; the shared pieces in hostile.py.
"""

import math
import re
import string
import warnings

import numpy as np
import pytest
from hostile import INF, NAN, TEXT, Ctx, raises_as_the_row_says, row, tiny_data

import rnn_guide
from rnn_guide import FrameworkNotInstalledError, RNNGuideError, ShapeError
from rnn_guide.data import Vocab
from rnn_guide.gradients import (
    gradient_norms,
)
from rnn_guide.language_model import RNNLM
from rnn_guide.training import TrainingDivergedError, train


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
        r"normal: std must be a finite number >= 0, received -1"),
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


@pytest.mark.parametrize("row", FRAMEWORK_ROWS, ids=[r.id for r in FRAMEWORK_ROWS])
def test_framework_row(row, backend, tmp_path):
    raises_as_the_row_says(row, lambda: row.call(Ctx(backend, tmp_path)))


def test_the_table_is_large_enough_and_ids_are_unique():
    assert len(FRAMEWORK_ROWS) >= 40
    assert len({r.id for r in FRAMEWORK_ROWS}) == len(FRAMEWORK_ROWS)
    for r in FRAMEWORK_ROWS:
        assert issubclass(r.error, (RNNGuideError, FrameworkNotInstalledError))


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
    expected = f"prefix {ascii(prefix)} became {became!r} after preprocessing (the book's text keeps only"
    with pytest.warns(UserWarning, match=re.escape(expected)):
        assert model.predict(prefix, 3).startswith(became)


def test_an_ordinary_prefix_does_not_warn():
    model = RNNLM(tiny_data().vocab, 8, "numpy")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.predict("The Time!", 3).startswith("the time ")


def test_normal_with_std_zero_is_the_mean(backend):
    sample = backend.numpy(backend.normal((2, 3), mean=5.0, std=0.0))
    np.testing.assert_array_equal(sample, np.full((2, 3), 5.0))
