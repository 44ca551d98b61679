"""The language model with a gated cell (GRU, LSTM): training, agreement, checkpoints, the CLI."""

import json
from pathlib import Path

import numpy as np
import pytest
import safetensors.numpy
from safetensors import safe_open

import rnn_guide
from rnn_guide._cli import main
from rnn_guide._gated_params import GRUParams, LSTMParams
from rnn_guide.data import TimeMachine, read_time_machine
from rnn_guide.errors import RNNGuideError
from rnn_guide.language_model import RNNLM
from rnn_guide.training import batch_tensors, gradient_fn, train, train_step

CELLS = ["gru", "lstm"]


@pytest.fixture(scope="module")
def small():
    return TimeMachine(batch_size=32, num_steps=8, num_train=2000, num_val=1000)


def model_for(data, d2l, cell, seed=0):
    return RNNLM(data.vocab, 16, d2l, seed=seed, sigma=0.1, cell=cell)


def test_an_unknown_cell_names_the_choices(small):
    with pytest.raises(RNNGuideError, match=r"cell must be one of \['rnn', 'gru', 'lstm'\], received 'cnn'"):
        RNNLM(small.vocab, 8, "numpy", cell="cnn")


@pytest.mark.parametrize("cell", CELLS)
def test_the_cell_chooses_parameters_and_state(backend, small, cell):
    model = model_for(small, backend, cell)
    assert isinstance(model.params, GRUParams if cell == "gru" else LSTMParams)
    assert model.cell == cell and model.num_hiddens == 16 and f"cell='{cell}'" in repr(model)
    state = model.begin_state(3)
    parts = state if cell == "lstm" else (state,)
    assert len(parts) == (2 if cell == "lstm" else 1)
    assert all(backend.shape(part) == (3, 16) for part in parts)


@pytest.mark.parametrize("cell", CELLS)
def test_numpy_reads_scores_and_writes_like_the_framework(framework, ref, small, cell):
    """Forward, perplexity and generation of a gated model in NumPy agree with the framework's."""
    d2l = rnn_guide.get_backend(framework)
    models = [model_for(small, b, cell, seed=3) for b in (d2l, ref)]
    X = next(iter(small.val_batches()))[0][:4]
    O = [m.d2l.numpy(m.forward(X)[0]) for m in models]
    np.testing.assert_allclose(O[0], O[1], rtol=1e-4, atol=1e-6)
    ppl = [m.perplexity(small.val_batches()) for m in models]
    assert ppl[0] == pytest.approx(ppl[1], rel=1e-5)
    assert models[0].predict("time ", 20) == models[1].predict("time ", 20)


@pytest.mark.parametrize("cell", CELLS)
def test_numpy_refuses_to_train_a_gated_cell(ref, small, cell):
    with pytest.raises(RNNGuideError, match="NumPy reference trains only the plain RNN"):
        train(model_for(small, ref, cell), small, epochs=1, progress=False)


@pytest.mark.parametrize("cell", CELLS)
def test_training_lowers_the_loss(framework, small, cell):
    """Across frameworks the numbers agree because the parts do: the forward pass matches NumPy's
    (tests/test_gated.py and the test above), autograd matches central differences, and the
    update is the same code for every backend."""
    model = model_for(small, rnn_guide.get_backend(framework), cell)
    before = model.perplexity(small.val_batches())
    history = train(model, small, epochs=2, lr=1.0, clip=1.0, progress=False)
    assert history.train_perplexity[-1] < history.train_perplexity[0]
    assert history.val_perplexity[-1] < before


@pytest.mark.parametrize("cell", CELLS)
def test_sequential_training_carries_the_state(framework, cell):
    data = TimeMachine(batch_size=16, num_steps=8, num_train=3000, num_val=1000)
    model = model_for(data, rnn_guide.get_backend(framework), cell)
    history = train(model, data, epochs=2, partition="sequential", progress=False)
    assert history.train_perplexity[-1] < history.train_perplexity[0] < 28
    tiny = TimeMachine(batch_size=16, num_steps=8, num_train=600, num_val=300)  # 4 batches
    full = model_for(tiny, rnn_guide.get_backend(framework), cell)  # the gradient through every batch
    assert train(full, tiny, epochs=1, partition="sequential", bptt="full", progress=False).epochs == 1


@pytest.mark.parametrize("cell", CELLS)
def test_a_padded_batch_has_the_loss_of_the_batch_itself(framework, cell):
    d2l = rnn_guide.get_backend(framework)
    X, Y = np.random.default_rng(0).integers(0, 28, size=(2, 5, 7))
    model = RNNLM(rnn_guide.Vocab("abcdefghijklmnopqrstuvwxyz "), 6, d2l, sigma=0.3, cell=cell)
    loss, _, _ = gradient_fn(d2l)(model.params, *batch_tensors(d2l, X, Y)[:2], model.begin_state(5))
    Xp, Yp, weights = batch_tensors(d2l, X, Y, rows=8)
    padded, _, _ = gradient_fn(d2l)(model.params, Xp, Yp, model.begin_state(8), weights)
    assert float(d2l.numpy(padded)) == pytest.approx(float(d2l.numpy(loss)), rel=1e-5)


@pytest.mark.parametrize("cell", CELLS)
def test_save_and_load_give_the_same_model_in_every_framework(framework, ref, small, cell, tmp_path):
    d2l = rnn_guide.get_backend(framework)
    model = model_for(small, d2l, cell)
    train(model, small, epochs=1, progress=False, validate=False)
    path = model.save(tmp_path / "m.safetensors", epochs=1)
    with safe_open(str(path), framework="numpy") as f:
        assert sorted(f.keys()) == sorted(type(model.params)._fields)
        assert json.loads(f.metadata()["meta"])["cell"] == cell
    X = next(iter(small.val_batches()))[0][:4]
    O = d2l.numpy(model.forward(X)[0])
    again = RNNLM.load(path, d2l)
    assert again.cell == cell and again.meta["epochs"] == 1
    np.testing.assert_array_equal(d2l.numpy(again.forward(X)[0]), O)
    assert again.predict("time ", 30) == model.predict("time ", 30)
    other = RNNLM.load(path, ref)
    np.testing.assert_allclose(ref.numpy(other.forward(X)[0]), O, rtol=1e-4, atol=1e-5)
    assert other.predict("time ", 30) == model.predict("time ", 30)


def rewrite(path, drop=(), meta=None, **tensors):
    """Write the checkpoint at ``path`` again with parameters dropped or replaced, or other meta."""
    arrays = safetensors.numpy.load_file(str(path))
    with safe_open(str(path), framework="numpy") as f:
        metadata = dict(f.metadata())
    if meta is not None:
        metadata["meta"] = json.dumps({**json.loads(metadata["meta"]), **meta})
    arrays = {k: v for k, v in {**arrays, **tensors}.items() if k not in drop}
    Path(path).write_bytes(safetensors.numpy.save(arrays, metadata=metadata))


@pytest.mark.parametrize(
    "cell, change, message",
    [
        ("gru", {"drop": ["W_xz"]}, r"parameters \['W_xz'\] are missing, expected \['W_xz'.*for cell 'gru'"),
        ("lstm", {"drop": ["b_c"]}, r"parameters \['b_c'\] are missing.*for cell 'lstm'"),
        ("gru", {"W_hr": np.zeros((8, 16), np.float32)}, r"parameter shapes \{'W_hr': \(8, 16\)\}"),
        ("lstm", {"W_xf": np.zeros((28, 9), np.float32)}, r"parameter shapes \{'W_xf': \(28, 9\)\}"),
        ("gru", {"meta": {"cell": "lstm"}}, r"parameters \['W_xi'.*are missing.*for cell 'lstm'"),
        ("gru", {"meta": {"cell": "rnn"}}, r"parameters \['W_xz'.*do not belong to cell 'rnn'"),
        ("lstm", {"W_hz": np.zeros((16, 16), np.float32)}, r"\['W_hz'\] do not belong to cell 'lstm'"),
        ("gru", {"meta": {"cell": "transformer"}}, r"'cell' must be one of \['rnn', 'gru', 'lstm'\]"),
    ],
)
def test_a_wrong_or_missing_cell_parameter_is_named(small, tmp_path, cell, change, message):
    path = model_for(small, "numpy", cell).save(tmp_path / "m.safetensors")
    rewrite(path, **change)
    with pytest.raises(RNNGuideError, match=message):
        RNNLM.load(path, "numpy")


def test_the_cli_trains_a_gru_and_generates_from_it(framework, tmp_path, capsys):
    text = tmp_path / "text.txt"
    text.write_text(read_time_machine()[:20000], encoding="utf-8")
    ckpt = tmp_path / "gru.safetensors"
    args = ["train", "-f", framework, "--cell", "gru", "--epochs", "1", "--hidden", "8"]
    args += ["--batch-size", "32", "--num-steps", "16", "--text", str(text), "--save", str(ckpt)]
    assert main([*args, "--json", "--no-progress"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["cell"] == "gru"
    assert RNNLM.load(ckpt, "numpy").cell == "gru"
    for fw in (framework, "numpy"):
        assert main(["generate", "--checkpoint", str(ckpt), "-f", fw, "--num-chars", "50", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["text"] == result["sample"]


def test_the_cli_says_numpy_trains_only_the_rnn(tmp_path, capsys):
    assert main(["train", "-f", "numpy", "--cell", "lstm", "--epochs", "1", "--no-progress"]) == 2
    assert "trains only the plain RNN" in capsys.readouterr().err


COMPILATIONS = {
    "jax": lambda fn: fn._cache_size(),
    "tensorflow": lambda fn: fn.experimental_get_tracing_count(),
}


@pytest.mark.parametrize("cell", CELLS)
def test_a_gated_cell_compiles_once_per_shape(framework, fresh_backends, cell):
    if framework not in COMPILATIONS:
        pytest.skip(f"{framework} runs the step eagerly")
    d2l = rnn_guide.get_backend(framework)
    data = TimeMachine(batch_size=64, num_steps=8, num_train=200, num_val=100)
    train(RNNLM(data.vocab, 8, d2l, seed=0, cell=cell), data, epochs=1, progress=False)
    step, evaluate = train_step(d2l, cell=cell), d2l.compiled(f"eval_step:{cell}", None)
    count = COMPILATIONS[framework]
    assert (count(step), count(evaluate)) == (1, 1)
    train(RNNLM(data.vocab, 8, d2l, seed=1, cell=cell), data, epochs=2, lr=0.5, progress=False)
    assert (count(step), count(evaluate)) == (1, 1)
