"""The deep and the bidirectional language model (d2l 10.3 and 10.4) on every backend.

The model's recurrence is checked against the functions the notebooks teach: its scores and last
states equal those of ``stacked_forward`` on one-hot inputs (for one layer: ``rnn_forward``,
``gru_forward``, ``lstm_forward``), followed by the output layer. Training is checked against
numbers recorded once with PyTorch (``TRAINED``): the same seed and data give the same
perplexities in every framework to float32 tolerance, as the parts agree (the forward pass above,
autograd, and one update for all backends).

Tolerances. A forward pass: 1e-5 absolute, as tests/test_stacked.py (float32 sums of a few dozen
products of magnitude < 1; the one-hot lookup adds a row of ``W_x`` exactly where ``X W_x`` adds
the same row times 1 and zeros). Training: relative 2e-4 on the perplexity after a few epochs, as
each step's float32 rounding (about 1e-7 relative) differs between frameworks' kernels and the SGD
steps carry those differences on; all four frameworks matched the recorded values to 4e-6 (their
rounding to 6 digits) where this suite was written, while one wrong gradient or direction moves
them by 1e-2 or more.
"""

import json
import warnings

import numpy as np
import pytest
import safetensors.numpy
from hostile import Ctx, raises_as_the_row_says, row, tiny_data
from safetensors import safe_open

import rnn_guide
from rnn_guide import pretrained
from rnn_guide._cells import detach_state, hidden_of, state_rows
from rnn_guide._evaluation import evaluate
from rnn_guide.backends.base import leaves
from rnn_guide.data import TimeMachine
from rnn_guide.language_model import RNNLM
from rnn_guide.lm_math import StackedLMParams
from rnn_guide.stacked import stacked_forward
from rnn_guide.training import train

CELLS = ["rnn", "gru", "lstm"]
H = 6  # hidden units of the small models


def random_state(d2l, cell, n, nested=(1, 1), seed=4):
    """A state of small random numbers: H or (H, C), or ``states[l][k]`` of them for a stack."""
    rng = np.random.default_rng(seed)

    def one():
        H0, C0 = (d2l.tensor(rng.normal(0.0, 0.3, size=(n, H)).astype(np.float32)) for _ in range(2))
        return (H0, C0) if cell == "lstm" else H0

    L, K = nested
    return one() if nested == (1, 1) else tuple(tuple(one() for _ in range(K)) for _ in range(L))


def cell_forward(cell, inputs, state, p):
    """The forward function a notebook teaches for one layer: ``(H_all, last state)``."""
    if cell == "rnn":
        return rnn_guide.rnn_forward(inputs, state, p.W_xh, p.W_hh, p.b_h)
    return (rnn_guide.gru_forward if cell == "gru" else rnn_guide.lstm_forward)(inputs, state, p)


def model_of(data, d2l, cell, num_layers=1, bidirectional=False, **kwargs):
    kwargs = {"seed": 0, "sigma": 0.1, "num_hiddens": H, "num_layers": num_layers, **kwargs}
    return RNNLM(data.vocab, framework=d2l, cell=cell, bidirectional=bidirectional, **kwargs)


@pytest.fixture(scope="module")
def small():
    return TimeMachine(batch_size=8, num_steps=5, num_train=200, num_val=100)


# ------------------------------------------------------------------ the forward pass
STRUCTURES = [(c, 1, False) for c in CELLS] + [("rnn", 2, True), ("gru", 2, False), ("gru", 1, True)]
STRUCTURES += [("lstm", 3, True)]


@pytest.mark.parametrize("structure", STRUCTURES, ids=["-".join(map(str, s)) for s in STRUCTURES])
def test_the_models_states_are_the_taught_forward_functions(backend, small, structure):
    """One layer: rnn_forward, gru_forward, lstm_forward; a stack: stacked_forward; on one-hot inputs,
    from a random state, then the output layer on the top layer's states (forward first)."""
    (cell, L, both), V = structure, len(small.vocab)
    K, model = 2 if both else 1, model_of(small, backend, cell, L, both, seed=2, sigma=0.5)
    X, p = next(iter(small.val_batches()))[0], model.params
    state = random_state(backend, cell, len(X), (L, K))
    O, last = model.forward(X, state)
    inputs = backend.tensor(np.eye(V, dtype=np.float32)[X.T])  # one-hot, (num_steps, batch_size, V)
    if (L, K) == (1, 1):
        H_all, expected_last = cell_forward(cell, inputs, state, p)
    else:
        assert isinstance(p, StackedLMParams) and backend.shape(p.W_hq) == (K * H, V)
        H_all, expected_last = stacked_forward(inputs, state, p.stack)
    H_all = backend.numpy(H_all).reshape(-1, K * H)  # (num_steps * batch_size, K * num_hiddens)
    expected = H_all @ backend.numpy(p.W_hq) + backend.numpy(p.b_q)
    np.testing.assert_allclose(backend.numpy(O), expected, atol=1e-5, rtol=0)
    assert len(leaves(last)) == len(leaves(expected_last)) == L * K * (2 if cell == "lstm" else 1)
    for a, b in zip(leaves(last), leaves(expected_last)):
        np.testing.assert_allclose(backend.numpy(a), backend.numpy(b), atol=1e-5, rtol=0)


def test_the_state_helpers_handle_a_nested_state(backend, small):
    model = model_of(small, backend, "lstm", 2, True)
    state = model.begin_state(3)
    assert len(state) == 2 and all(len(layer) == 2 for layer in state)
    assert all(backend.shape(t) == (3, H) for t in leaves(state)) and state_rows(backend, state) == 3
    assert [[type(s) for s in layer] for layer in detach_state(backend, state)] == [[tuple, tuple]] * 2
    assert all(backend.shape(h) == (3, H) for layer in hidden_of(state) for h in layer)
    one = model_of(small, backend, "lstm").begin_state(3)  # a pair (H, C), not nested
    assert backend.shape(hidden_of(one)) == (3, H) and state_rows(backend, one) == 3


def test_sequential_evaluation_carries_the_nested_state_and_random_resets_it(backend, small):
    model = model_of(small, backend, "gru", 2, True, seed=1, sigma=0.5)
    batches = list(small.val_batches("sequential"))
    carried, fresh, state = [], [], None
    for X, Y in batches:
        state = model.begin_state(len(X)) if state is None else state
        carried.append(model.loss(X, Y, state) * X.size)
        state = model.forward(X, state)[1]
        fresh.append(model.loss(X, Y) * X.size)
    count = sum(X.size for X, _ in batches)
    assert evaluate(model, batches, "sequential") == pytest.approx(sum(carried) / count, rel=1e-5)
    assert evaluate(model, batches, "random") == pytest.approx(sum(fresh) / count, rel=1e-5)
    assert abs(sum(carried) - sum(fresh)) > 1e-4  # the carried state matters


# ------------------------------------------------------------------ training
#: Train perplexity per epoch on tiny_data() (4 epochs, lr 2, clip 1), recorded with PyTorch.
TRAINED = {
    ("gru", 2, False): [19.2003, 16.0492, 15.6471, 15.4559],
    ("lstm", 2, False): [19.4648, 16.2946, 15.7232, 15.4747],
    ("gru", 1, True): [18.9827, 15.4483, 14.3556, 12.6347],
    ("lstm", 2, True): [19.4319, 16.2682, 15.7092, 15.463],
}


@pytest.mark.parametrize("structure", list(TRAINED), ids=["-".join(map(str, s)) for s in TRAINED])
def test_deep_and_bidirectional_models_train_alike_everywhere(framework, structure):
    data = tiny_data()
    model = model_of(data, framework, *structure, num_hiddens=8)
    ppl = train(model, data, epochs=4, lr=2.0, clip=1.0, progress=False).train_perplexity
    assert all(b < a for a, b in zip(ppl, ppl[1:])), ppl
    np.testing.assert_allclose(ppl, TRAINED[structure], rtol=2e-4)
    ref = model_of(data, "numpy", *structure, params=model.params)  # the trained weights in NumPy
    assert ref.perplexity(data.val_batches()) == pytest.approx(model.perplexity(data.val_batches()), rel=1e-5)


def test_sequential_training_carries_a_deep_state(framework):
    data = TimeMachine(batch_size=4, num_steps=8, num_train=600, num_val=200)
    model = model_of(data, framework, "lstm", 2, num_hiddens=8)
    history = train(model, data, epochs=3, lr=2.0, partition="sequential", progress=False)
    assert history.train_perplexity[-1] < history.train_perplexity[0] < len(data.vocab)
    tiny = TimeMachine(4, 8, num_train=150, num_val=100)  # full BPTT: through every batch of the epoch
    model, kwargs = model_of(tiny, framework, "gru", 1, True), {"partition": "sequential", "progress": False}
    assert train(model, tiny, 1, bptt="full", **kwargs).epochs == 1


COMPILATIONS = {
    "jax": lambda fn: fn._cache_size(),
    "tensorflow": lambda fn: fn.experimental_get_tracing_count(),
}


def test_each_structure_compiles_once(framework, fresh_backends):
    if framework not in COMPILATIONS:
        pytest.skip(f"{framework} runs the step eagerly")
    d2l, data = rnn_guide.get_backend(framework), tiny_data()
    for seed, layers, both in ((0, 2, False), (0, 1, True), (1, 2, False), (1, 1, True)):
        train(model_of(data, d2l, "gru", layers, both, seed=seed), data, epochs=1, progress=False)
    keys = [
        f"{step}:gru:{structure}"
        for step in ("train_step", "eval_step")
        for structure in ("2:False", "1:True")
    ]
    assert [COMPILATIONS[framework](d2l.compiled(key, None)) for key in keys] == [1, 1, 1, 1]


def test_a_bidirectional_model_sees_the_answer_and_cannot_write(framework):
    """Its backward direction has read the next character, the target itself: its training
    perplexity falls far below the unidirectional model's (2.1 against 9.1 here, measured with
    PyTorch), and predict warns that the text it writes is poor (d2l 10.4)."""
    data = TimeMachine(batch_size=64, num_steps=8, num_train=1000, num_val=100)
    models = {both: model_of(data, framework, "gru", 1, both, num_hiddens=16) for both in (False, True)}
    uni, bi = (
        train(models[both], data, epochs=6, lr=4.0, progress=False, validate=False).train_perplexity[-1]
        for both in (False, True)
    )
    assert bi < 0.5 * uni, (bi, uni)
    with pytest.warns(UserWarning, match="bidirectional.*after each position.*do not exist yet"):
        text = models[True].predict("the time ", 20)
    assert len(text) == len("the time ") + 20  # it writes, whatever the quality
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a unidirectional deep model writes without a warning
        model_of(data, framework, "gru", 2).predict("the", 5)


# ------------------------------------------------------------------ checkpoints
def test_a_deep_bidirectional_checkpoint_reads_back_in_every_framework(framework, ref, small, tmp_path):
    d2l = rnn_guide.get_backend(framework)
    model = model_of(small, d2l, "lstm", 2, True, seed=3, sigma=0.3)
    train(model, small, epochs=1, progress=False, validate=False)
    path = model.save(tmp_path / "deep.safetensors", epochs=1)
    with safe_open(str(path), framework="numpy") as f:
        names, meta = set(f.keys()), json.loads(f.metadata()["meta"])
    assert {"layers.0.0.W_xi", "layers.0.1.W_hc", "layers.1.1.b_o", "W_hq", "b_q"} <= names
    assert len(names) == 2 * 2 * 12 + 2
    assert (meta["num_layers"], meta["bidirectional"], meta["num_hiddens"]) == (2, True, H)
    X = next(iter(small.val_batches()))[0]
    O = d2l.numpy(model.forward(X)[0])
    again = RNNLM.load(path, d2l)
    assert (again.num_layers, again.bidirectional, again.meta["epochs"]) == (2, True, 1)
    np.testing.assert_array_equal(d2l.numpy(again.forward(X)[0]), O)
    other = RNNLM.load(path, ref)
    np.testing.assert_allclose(ref.numpy(other.forward(X)[0]), O, rtol=1e-4, atol=1e-5)
    assert "bidirectional=True" in repr(other) and "num_layers=2" in repr(other)


def test_the_shipped_single_layer_checkpoints_still_load():
    for cell in CELLS:
        model = RNNLM.load(pretrained.path(cell), "numpy")
        assert (model.num_layers, model.bidirectional) == (1, False)
        assert not isinstance(model.params, StackedLMParams) and "num_layers" not in model.meta


def test_a_one_layer_model_saves_as_before(small, tmp_path):
    path = model_of(small, "numpy", "gru").save(tmp_path / "one.safetensors")
    with safe_open(str(path), framework="numpy") as f:
        assert "num_layers" not in json.loads(f.metadata()["meta"]) and "W_xz" in f.keys()


# ------------------------------------------------------------------ hostile inputs
def _deep(c, **kwargs):
    return RNNLM(
        c.data.vocab, framework=c.d2l, **{"num_hiddens": 4, "cell": "gru", "num_layers": 2, **kwargs}
    )


def _rewritten(c, **meta):
    """A 2-layer bidirectional GRU checkpoint whose meta says otherwise, loaded."""
    path = _deep(c, bidirectional=True).save(c.tmp / "deep.safetensors")
    with safe_open(str(path), framework="numpy") as f:
        arrays, metadata = {name: f.get_tensor(name) for name in f.keys()}, dict(f.metadata())
    metadata["meta"] = json.dumps({**json.loads(metadata["meta"]), **meta})
    path.write_bytes(safetensors.numpy.save(arrays, metadata=metadata))
    return RNNLM.load(path, c.d2l)


# fmt: off
ROWS = [
    row("num_layers 0", lambda c: _deep(c, num_layers=0),
        r"RNNLM: num_layers must be a positive integer, received 0"),
    row("num_layers 'two'", lambda c: _deep(c, num_layers="two"),
        r"RNNLM: num_layers must be a positive integer, received 'two'"),
    row("num_layers 2.0", lambda c: _deep(c, num_layers=2.0),
        r"RNNLM: num_layers must be a positive integer, received 2\.0"),
    row("num_layers 10**6", lambda c: _deep(c, num_layers=10**6),
        r"RNNLM: num_layers must be at most 64 \(rnn_guide\.limits\.MAX_NUM_LAYERS\), received 1000000"),
    row("bidirectional 'yes'", lambda c: _deep(c, bidirectional="yes"),
        r"RNNLM: bidirectional must be True or False, received 'yes'"),
    row("too large for memory", lambda c: _deep(c, num_layers=64, num_hiddens=8192),
        r"8192 hidden units.*64 layers needs about .*MAX_MEMORY_BYTES\); use fewer hidden units or layers"),
    row("params of another depth", lambda c: _deep(c, params=_deep(c).params, num_layers=3),
        r"expected params of cell 'gru' with 3 layers, one direction, received .* with 2 layers"),
    row("deep params, one layer", lambda c: RNNLM(c.data.vocab, 4, c.d2l, cell="gru", params=_deep(c).params),
        r"cell='gru' needs params of type GRUParams.*received StackedLMParams of cell 'gru' with 2 layers"),
    row("a cell's params for a stack", lambda c: _deep(c, params=_deep(c, num_layers=1).params),
        r"needs params of type StackedLMParams of the 'gru' cell.*received GRUParams"),
    row("a stack of another cell", lambda c: _deep(c, params=_deep(c, cell="lstm").params),
        r"expected params of cell 'gru' with 2 layers.*received params of cell 'lstm'"),
    row("checkpoint: more layers than tensors", lambda c: _rewritten(c, num_layers=3),
        r"parameters \['layers\.2\.0\.W_xz'.*are missing.*for cell 'gru' with 3 layers, bidirectional"),
    row("checkpoint: fewer layers than tensors", lambda c: _rewritten(c, num_layers=1),
        r"parameters \['layers\.1\.0\.W_hh'.*do not belong to cell 'gru' with 1 layer, bidirectional"),
    row("checkpoint: one direction of two", lambda c: _rewritten(c, bidirectional=False),
        r"do not belong to cell 'gru' with 2 layers, one direction"),
    row("checkpoint: num_layers '2'", lambda c: _rewritten(c, num_layers="2"),
        r"meta 'num_layers' must be an integer from 1 to 64, received '2'"),
    row("checkpoint: num_layers 0", lambda c: _rewritten(c, num_layers=0),
        r"meta 'num_layers' must be an integer from 1 to 64, received 0"),
    row("checkpoint: bidirectional 'yes'", lambda c: _rewritten(c, bidirectional="yes"),
        r"meta 'bidirectional' must be true or false \(a JSON bool\), received 'yes'"),
    row("save a setting named num_layers", lambda c: _deep(c).save(c.tmp / "x.safetensors", num_layers=5),
        r"settings may not be named \['num_layers'\]"),
]
# fmt: on


@pytest.mark.parametrize("r", ROWS, ids=[r.id for r in ROWS])
def test_hostile_row(r, backend, tmp_path):
    raises_as_the_row_says(r, lambda: r.call(Ctx(backend, tmp_path)))


@pytest.mark.parametrize("structure", [(2, False), (1, True)])
def test_numpy_refuses_to_train_a_deep_or_bidirectional_model(ref, structure):
    data, message = (
        tiny_data(),
        r"trains only the single-layer plain RNN.*cell 'rnn' with .*a framework with autograd",
    )
    with pytest.raises(rnn_guide.RNNGuideError, match=message):
        train(model_of(data, ref, "rnn", *structure), data, epochs=1, progress=False)
