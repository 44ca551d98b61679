"""rnn_guide.pretrained: the three shipped character models load in every framework with the
score they were saved with, and retraining each one in this env's framework from its seed at the
book's settings reproduces it (validation perplexity within 0.05, the tolerance between frameworks)."""

import pytest

import rnn_guide
from rnn_guide import pretrained
from rnn_guide._cells import CELLS

CELL_NAMES = sorted(pretrained.PER_CELL)


@pytest.fixture(scope="module")
def data():
    return rnn_guide.TimeMachine(batch_size=1024, num_steps=32)


def test_every_cell_of_the_language_model_has_settings_and_a_shipped_file():
    assert set(pretrained.PER_CELL) == set(CELLS)
    for cell in CELL_NAMES:
        assert pretrained.path(cell).is_file(), f"missing {pretrained.path(cell)}"
        assert pretrained.book_settings(cell)["num_hiddens"] == 32


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_shipped_model_loads_with_its_settings_and_its_score(backend, cell, data):
    model = pretrained.load(cell, backend)
    assert (model.cell, model.num_hiddens, model.d2l.name) == (cell, 32, backend.name)
    settings = pretrained.book_settings(cell)
    settings.pop("num_hiddens")
    assert {name: model.meta[name] for name in settings} == settings
    assert model.meta["framework"] == "pytorch"
    got = model.perplexity(data.val_batches())
    assert got == pytest.approx(model.meta["val_perplexity"], rel=1e-5)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_retraining_in_this_framework_reproduces_the_shipped_model(framework, cell, data, tmp_path):
    model, meta = pretrained.train_book_model(cell, framework, data)
    shipped = pretrained.load(cell, framework).meta["val_perplexity"]
    assert abs(meta["val_perplexity"] - shipped) < 0.05, (cell, meta["val_perplexity"], shipped)
    # what scripts/train_pretrained.py writes reads back as the same model
    again = rnn_guide.RNNLM.load(pretrained.save(model, meta, tmp_path / "m.st"), framework)
    assert again.meta["val_perplexity"] == meta["val_perplexity"]
    assert again.perplexity(data.val_batches()) == pytest.approx(meta["val_perplexity"], rel=1e-5)


def test_unknown_cell_and_foreign_data_are_refused_by_name():
    expected = r"one of \['rnn', 'gru', 'lstm'\], received 'transformer'"
    with pytest.raises(rnn_guide.RNNGuideError, match=expected):
        pretrained.load("transformer")
    with pytest.raises(rnn_guide.RNNGuideError, match=r"received \['gru'\]"):
        pretrained.book_settings(["gru"])
    with pytest.raises(rnn_guide.RNNGuideError, match="data must be a rnn_guide.TimeMachine, received list"):
        pretrained.train_book_model("rnn", "numpy", [])
    text = "the time machine " * 40
    small = rnn_guide.TimeMachine(batch_size=8, num_steps=32, text=text, num_train=50, num_val=10)
    with pytest.raises(rnn_guide.RNNGuideError, match="batch_size=1024.*received batch_size=8"):
        pretrained.train_book_model("rnn", "numpy", small)
