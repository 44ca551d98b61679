"""Hostile inputs to the memory experiments, the gated cells and the JAX backend (issue 25).

The rows follow test_hostile_inputs.py: ``(id, call, match, error)``, where ``call`` must raise
exactly ``error`` and the regex ``match`` names the bad value. ``FRAMEWORK_ROWS`` take a
:class:`Ctx` and run on every backend under test; ``PLAIN_ROWS`` need no framework (a
:class:`~rnn_guide.memory.RecallRun` is built by hand from its distances and answers). The
warnings and the values that must still work are asserted below the tables.
"""

import re
import warnings

import numpy as np
import pytest
from hostile import Ctx, raises_as_the_row_says, row

import rnn_guide
from rnn_guide import RNNGuideError, memory
from rnn_guide.training import TrainingDivergedError


def _framework_only(c):
    if c.d2l.name == "numpy":
        pytest.skip("the memory experiments need a framework's autograd")


def _jax_only(c):
    if c.d2l.name != "jax":
        pytest.skip("only JAX narrows float64 (its 64-bit types are off by default)")


def _gru(c):  # GRUParams for 3 inputs, 4 hidden units, 3 outputs
    return rnn_guide.init_gru_params(3, 4, 3, c.d2l)


def _sequence(c):  # (num_steps=1, batch_size=2, num_inputs=3)
    return c.d2l.tensor(np.ones((1, 2, 3), np.float32))


def _diverging_recall(c):
    _framework_only(c)
    return memory.train_recall(c.d2l, "rnn", num_steps=3, steps=3, batch_size=4, lr=1e6)


def _float64_on_jax(c):
    _jax_only(c)
    return c.d2l.tensor(np.ones(3), dtype="float64")


def _recall_run():
    """A RecallRun of 8 test sequences at distances 0 to 3 (num_steps=4), 6 answered right."""
    distance = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    correct = np.array([True, True, True, False, True, False, True, True])
    return memory.RecallRun("gru", None, 4, [], distance, correct, 0.0)


# fmt: off
FRAMEWORK_ROWS = [
    # ---- reset_after is a bool: a string would count as True and pick the other GRU
    row("gru_step reset_after 'no'", lambda c: rnn_guide.gru_step(c.X, c.H, _gru(c), reset_after="no"),
        r"gru_step: reset_after must be True or False, received 'no'"),
    row("gru_step reset_after 1", lambda c: rnn_guide.gru_step(c.X, c.H, _gru(c), reset_after=1),
        r"gru_step: reset_after must be True or False, received 1"),
    row("gru_step reset_after None", lambda c: rnn_guide.gru_step(c.X, c.H, _gru(c), reset_after=None),
        r"gru_step: reset_after must be True or False, received None"),
    row("gru_forward reset_after 'no'",
        lambda c: rnn_guide.gru_forward(_sequence(c), None, _gru(c), reset_after="no"),
        r"gru_forward: reset_after must be True or False, received 'no'"),
    row("gru_forward reset_after 'false' with b_hn",
        lambda c: rnn_guide.gru_forward(_sequence(c), None, _gru(c), "false", c.d2l.zeros((4,))),
        r"gru_forward: reset_after must be True or False, received 'false'"),
    # ---- the memory experiments
    row("state_gradient_norms a str model", lambda c: memory.state_gradient_norms("x", "abc"),
        r"state_gradient_norms: model must be a rnn_guide\.RNNLM, received str"),
    row("state_gradient_norms params as model", lambda c: memory.state_gradient_norms(c.p, "abc"),
        r"state_gradient_norms: model must be a rnn_guide\.RNNLM, received RNNParams"),
    row("train_recall lr 1e6 diverges", _diverging_recall,
        r"train_recall: the training loss became \S+ at step \d+ of 3 \(lr=1e\+06, clip=1\)",
        TrainingDivergedError),
    # ---- JAX: float64 needs x64
    row("jax tensor float64 without x64", _float64_on_jax,
        r"tensor: dtype='float64' needs JAX's 64-bit types, which are off, so JAX would give float32; "
        r"switch them on with jax\.config\.update\('jax_enable_x64', True\)"),
]

PLAIN_ROWS = [
    row("accuracy_by_distance [5, 0]", lambda: _recall_run().accuracy_by_distance([5, 0]),
        r"accuracy_by_distance: edges must increase strictly, received \[5, 0\] \(0 follows 5\)"),
    row("accuracy_by_distance repeated edge", lambda: _recall_run().accuracy_by_distance([0, 2, 2, 4]),
        r"edges must increase strictly, received \[0, 2, 2, 4\] \(2 follows 2\)"),
    row("accuracy_by_distance one edge", lambda: _recall_run().accuracy_by_distance([0]),
        r"accuracy_by_distance: edges must hold at least two integers, received \[0\]"),
    row("accuracy_by_distance str", lambda: _recall_run().accuracy_by_distance("04"),
        r"accuracy_by_distance: edges must be a sequence of integers, received '04'"),
    row("accuracy_by_distance 2.5", lambda: _recall_run().accuracy_by_distance([0, 2.5]),
        r"accuracy_by_distance: edges must hold integers, received 2\.5 at position 1"),
    row("accuracy_by_distance empty interval", lambda: _recall_run().accuracy_by_distance([0, 4, 10]),
        r"no test sequence has a distance in \[4, 10\), so its accuracy is undefined; "
        r"the distances run from 0 to 3"),
    row("accuracy_by_distance below 0", lambda: _recall_run().accuracy_by_distance([-5, 0, 4]),
        r"no test sequence has a distance in \[-5, 0\)"),
]
# fmt: on


@pytest.mark.parametrize("row", FRAMEWORK_ROWS, ids=[r.id for r in FRAMEWORK_ROWS])
def test_framework_row(row, backend, tmp_path):
    raises_as_the_row_says(row, lambda: row.call(Ctx(backend, tmp_path)))


@pytest.mark.parametrize("row", PLAIN_ROWS, ids=[r.id for r in PLAIN_ROWS])
def test_plain_row(row):
    raises_as_the_row_says(row, row.call)


def test_ids_are_unique_and_errors_are_the_packages():
    ids = [r.id for r in FRAMEWORK_ROWS + PLAIN_ROWS]
    assert len(set(ids)) == len(ids)
    assert all(issubclass(r.error, RNNGuideError) for r in FRAMEWORK_ROWS + PLAIN_ROWS)


# ------------------------------------------------------------------ warnings
def test_unknown_characters_warn_and_are_named(framework):
    model = rnn_guide.RNNLM(rnn_guide.Vocab("abc "), 4, framework)
    expected = "state_gradient_norms: text characters ['!', 'X'] are not in the vocabulary; read as '<unk>'"
    with pytest.warns(UserWarning, match=re.escape(expected)):
        norms = memory.state_gradient_norms(model, "abX!")
    assert norms.shape == (5,) and np.all(np.isfinite(norms))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        memory.state_gradient_norms(model, "ab c")


# ------------------------------------------------------------ what must work
def test_divergence_keeps_the_losses_before_it(framework):
    with pytest.raises(TrainingDivergedError) as info:
        memory.train_recall(framework, "rnn", num_steps=3, steps=3, batch_size=4, lr=1e6)
    step = int(re.search(r"at step (\d+)", str(info.value)).group(1))
    assert len(info.value.history) == step - 1 and np.all(np.isfinite(info.value.history))


def test_accuracy_by_distance_counts_each_interval():
    run = _recall_run()
    assert run.accuracy_by_distance([0, 1, 2, 3, 4]) == [1.0, 0.5, 0.5, 1.0]
    assert run.accuracy_by_distance(np.array([0, 2, 4])) == [0.75, 0.75]
    assert run.accuracy_by_distance((0, 4)) == [run.accuracy]


def test_numpy_bools_select_the_gru_form(backend):
    c = Ctx(backend, None)
    p = _gru(c)
    after = rnn_guide.gru_step(c.X, c.H, p, reset_after=np.bool_(True))
    want = rnn_guide.gru_step(c.X, c.H, p, reset_after=True)
    np.testing.assert_array_equal(backend.numpy(after), backend.numpy(want))


def test_float64_is_kept_where_the_framework_can_hold_it(backend):
    if backend.name == "jax":
        import jax

        with jax.enable_x64(True):
            assert backend.numpy(backend.tensor(np.ones(3), dtype="float64")).dtype == np.float64
        assert backend.numpy(backend.tensor(np.ones(3), dtype="float16")).dtype == np.float16
    else:
        assert backend.numpy(backend.tensor(np.ones(3), dtype="float64")).dtype == np.float64
    assert backend.numpy(backend.tensor(np.ones(3))).dtype == np.float32  # the default stays float32
