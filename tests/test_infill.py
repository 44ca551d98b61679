"""rnn_guide.infill: the gap-filling task of notebook 9, in every framework env.

The windows come from NumPy's seeded generator and the weights from init_stacked_params, so a
run is the same from run to run and starts from the NumPy model's loss in every framework; a
bidirectional GRU, which reads both sides of the gap, names more hidden characters than a
forward one; and every argument is checked before any framework op, with a message that names it.
"""

import numpy as np
import pytest
from hostile import raises_as_the_row_says, row

import rnn_guide
from rnn_guide import infill
from rnn_guide.stacked import init_stacked_params
from rnn_guide.training import TrainingDivergedError

CORPUS = rnn_guide.TimeMachine().corpus
UNK = rnn_guide.TimeMachine().vocab.unk
SMALL = dict(num_hiddens=32, steps=150, batch_size=64)  # about a second in PyTorch


# ------------------------------------------------------------------ the windows
@pytest.mark.parametrize("test", [False, True])
def test_a_batch_hides_the_middle_of_windows_of_the_book(test):
    X, Y = infill.infill_batch(CORPUS, np.random.default_rng(0), 256, 11, test=test, mask=UNK)
    assert X.shape == (11, 256) and Y.shape == (256,) and X.dtype == Y.dtype == np.int64
    assert np.all(X[5] == UNK) and not np.any(np.delete(X, 5, axis=0) == UNK) and not np.any(Y == UNK)
    text = CORPUS.tolist()
    split = len(text) - infill.TEST_CHARS
    for i in range(256):
        window = X[:, i].copy()
        window[5] = Y[i]
        starts = [s for s in range(len(text) - 10) if text[s : s + 11] == window.tolist()]
        assert starts, f"window {i} is not a stretch of the book"
        # training windows end before the last TEST_CHARS characters, test windows start inside them
        assert any((s >= split) if test else (s + 11 <= split) for s in starts)


def test_batches_are_the_same_for_the_same_seed():
    a = infill.infill_batch(CORPUS, np.random.default_rng(7), 32, 9, UNK)
    b = infill.infill_batch(CORPUS, np.random.default_rng(7), 32, 9, UNK)
    c = infill.infill_batch(CORPUS, np.random.default_rng(8), 32, 9, UNK)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])


# ------------------------------------------------------------------ the model
def test_the_forward_model_only_reads_the_left_side(backend):
    """With one direction, changing characters right of the gap leaves the scores alone; with two,
    it changes them."""
    V = len(rnn_guide.TimeMachine().vocab)
    X, _ = infill.infill_batch(CORPUS, np.random.default_rng(1), 8, 11, mask=UNK)
    changed = X.copy()
    changed[6:] = (changed[6:] + 3) % V
    changed[6:][changed[6:] == UNK] = 2
    for bidirectional in (False, True):
        stack = init_stacked_params("gru", V, 6, 1, backend, bidirectional, seed=2, sigma=0.5)
        K = 2 if bidirectional else 1
        W_hq = backend.tensor(np.random.default_rng(3).normal(0, 0.5, (K * 6, V)).astype(np.float32))
        params = (stack, W_hq, backend.zeros((V,)))
        a, b = (backend.numpy(infill.infill_logits(backend, params, backend.tensor(x))) for x in (X, changed))
        assert a.shape == (8, V)
        if bidirectional:
            assert np.abs(a - b).max() > 1e-3
        else:
            np.testing.assert_array_equal(a, b)


def _numpy_first_loss(seed, bidirectional, batch_size, num_hiddens, sigma):
    """The loss of the first batch, computed on the NumPy backend from the same seed."""
    numpy = rnn_guide.get_backend("numpy")
    V, K = len(rnn_guide.TimeMachine().vocab), 2 if bidirectional else 1
    stack = init_stacked_params("gru", V, num_hiddens, 1, numpy, bidirectional, seed, sigma)
    W_hq = np.random.default_rng(seed).normal(0.0, sigma, (K * num_hiddens, V)).astype(np.float32)
    X, Y = infill.infill_batch(CORPUS, np.random.default_rng(seed), batch_size, 11, mask=UNK)
    logits = np.asarray(infill.infill_logits(numpy, (stack, W_hq, np.zeros(V, np.float32)), X), np.float64)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return -log_p[np.arange(batch_size), Y].mean()


@pytest.mark.parametrize("bidirectional", [False, True])
def test_every_framework_starts_from_the_numpy_models_loss(framework, bidirectional):
    run = infill.train_infill(
        framework, bidirectional=bidirectional, steps=1, batch_size=16, num_hiddens=8, seed=4
    )
    want = _numpy_first_loss(4, bidirectional, 16, 8, 0.3)
    assert run.losses[0] == pytest.approx(want, rel=1e-5)


def test_a_run_is_the_same_from_run_to_run(framework):
    a = infill.train_infill(framework, bidirectional=True, steps=20, batch_size=16, num_hiddens=8, seed=5)
    b = infill.train_infill(framework, bidirectional=True, steps=20, batch_size=16, num_hiddens=8, seed=5)
    assert a.losses == b.losses
    np.testing.assert_array_equal(a.predicted, b.predicted)
    np.testing.assert_array_equal(a.test_X, b.test_X)


def test_reading_both_ways_fills_more_gaps(framework):
    """A short version of the notebook's run (there: the defaults; 0.43 against 0.58 in PyTorch)."""
    runs = {bi: infill.train_infill(framework, bidirectional=bi, seed=0, **SMALL) for bi in (False, True)}
    forward, both = runs[False], runs[True]
    for run in runs.values():
        assert len(run.losses) == 150 and np.all(np.isfinite(run.losses))
        assert np.mean(run.losses[-20:]) < np.mean(run.losses[:20])
        assert run.test_X.shape == (11, infill.TEST_SIZE) and run.predicted.shape == (infill.TEST_SIZE,)
        assert run.settings["steps"] == 150 and run.cell == "gru"
    assert forward.accuracy > 0.2  # more than always naming the space (about 0.18)
    assert both.accuracy > forward.accuracy + 0.08
    assert both.bidirectional and not forward.bidirectional


def test_a_diverging_run_raises_with_the_losses_before_it(framework):
    with pytest.raises(
        TrainingDivergedError, match=r"train_infill: the training loss became .*\(lr=1e\+06.*default 2"
    ) as info:
        infill.train_infill(framework, steps=30, batch_size=16, num_hiddens=8, lr=1e6, clip=1e30, sigma=3.0)
    assert len(info.value.history) < 30 and all(np.isfinite(info.value.history))


# ------------------------------------------------------------------ hostile arguments
def _call(**kwargs):
    return lambda: infill.train_infill(**{"d2l": "numpy", **kwargs})


ROWS = [
    row("numpy has no autograd", _call(), r"needs a framework's autograd .* received numpy"),
    row("unknown framework", _call(d2l="caffe"), r"caffe"),
    row("unknown cell", _call(cell="conv"), r"cell must be one of .* received 'conv'"),
    row(
        "bidirectional as a string", _call(bidirectional="yes"), r"bidirectional must be True or False.*'yes'"
    ),
    row("even window", _call(num_steps=10), r"num_steps must be an odd integer from 3 to 1001.* received 10"),
    row("window of one", _call(num_steps=1), r"num_steps must be an odd integer.* received 1"),
    row("window too long", _call(num_steps=1003), r"received 1003"),
    row("window of zero", _call(num_steps=0), r"num_steps must be a positive integer, received 0"),
    row("window as a float", _call(num_steps=11.0), r"num_steps must be a positive integer, received 11.0"),
    row("no hidden units", _call(num_hiddens=0), r"num_hiddens must be a positive integer, received 0"),
    row("too many hidden units", _call(num_hiddens=10**6), r"num_hiddens.*1000000"),
    row("no layers", _call(num_layers=0), r"num_layers must be a positive integer, received 0"),
    row("too many layers", _call(num_layers=9), r"num_layers must be at most 8, received 9"),
    row("no steps", _call(steps=0), r"steps must be a positive integer, received 0"),
    row("too many steps", _call(steps=10**9), r"steps must be at most 100,000, received 1000000000"),
    row("negative batch", _call(batch_size=-1), r"batch_size must be a positive integer, received -1"),
    row("huge batch", _call(batch_size=10**7), r"batch_size.*10000000"),
    row("zero learning rate", _call(lr=0), r"lr must be a positive finite number.* received 0"),
    row("NaN learning rate", _call(lr=float("nan")), r"lr must be a positive finite number.* received nan"),
    row("learning rate as a string", _call(lr="1"), r"lr must be a positive finite number.* received '1'"),
    row("zero clip", _call(clip=0.0), r"clip must be a positive finite number.* received 0.0"),
    row("negative sigma", _call(sigma=-1.0), r"sigma must be a positive finite number.* received -1.0"),
    row("negative seed", _call(seed=-1), r"seed must be a non-negative integer, received -1"),
    row("seed as a float", _call(seed=1.5), r"seed must be a non-negative integer, received 1.5"),
    row("last seed", _call(seed=2**32 - 1), r"seed must be at most 2\*\*32 - 2 .* received 4294967295"),
]


def _batch(**kwargs):
    arguments = {
        "corpus": CORPUS,
        "rng": np.random.default_rng(0),
        "batch_size": 4,
        "num_steps": 11,
        "mask": UNK,
    }
    return lambda: infill.infill_batch(**{**arguments, **kwargs})


ROWS += [
    row("batch: seed instead of a generator", _batch(rng=0), r"rng must be .*received 0"),
    row("batch: no windows", _batch(batch_size=0), r"batch_size must be a positive integer, received 0"),
    row(
        "batch: even window",
        _batch(num_steps=4),
        r"infill_batch: num_steps must be an odd integer.* received 4",
    ),
    row("batch: negative mask", _batch(mask=-1), r"mask must be a non-negative integer, received -1"),
    row("batch: test as a string", _batch(test="no"), r"test must be True or False, received 'no'"),
    row(
        "batch: text instead of ids",
        _batch(corpus="the time machine"),
        r"corpus must be a 1-d array of token ids",
    ),
    row("batch: a short corpus", _batch(corpus=CORPUS[:1000]), r"longer than 20,022 .* shape \(1000,\)"),
    row("batch: floats", _batch(corpus=CORPUS.astype(float)), r"received float64"),
]


@pytest.mark.parametrize("bad", ROWS, ids=[r.id for r in ROWS])
def test_a_bad_argument_is_named_before_any_work(bad):
    raises_as_the_row_says(bad, bad.call)
