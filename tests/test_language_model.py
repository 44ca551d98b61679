"""The character model on every backend: loss, perplexity, BPTT, clipping, generation, reproducibility."""

import math

import numpy as np
import pytest

import rnn_guide
from rnn_guide.backends.base import rebuild
from rnn_guide.data import TimeMachine
from rnn_guide.language_model import RNNLM
from rnn_guide.lm_math import loss_and_state
from rnn_guide.recurrence import RNNParams
from rnn_guide.training import TrainingDivergedError, gradient_fn, train, train_step


@pytest.fixture(scope="module")
def small():
    """The book's text with a short split, for quick training."""
    return TimeMachine(batch_size=256, num_steps=16, num_train=2000, num_val=1000)


def test_uniform_model_has_perplexity_vocab_size(backend, small):
    model = RNNLM(small.vocab, 16, backend)
    p = model.params
    model.params = RNNParams(p.W_xh, p.W_hh, p.b_h, backend.zeros((16, 28)), backend.zeros((28,)))
    assert model.perplexity(small.val_batches()) == pytest.approx(len(small.vocab), rel=1e-5)


def test_training_lowers_the_loss_and_repeats(backend, small):
    model = RNNLM(small.vocab, 32, backend, seed=0)
    before = model.perplexity(small.val_batches())
    history = train(model, small, epochs=3, lr=1.0, clip=1.0, progress=False)
    assert history.epochs == 3 and len(history.val_perplexity) == 3
    assert history.train_perplexity[-1] < history.train_perplexity[0]
    assert history.val_perplexity[-1] < before
    again = RNNLM(small.vocab, 32, backend, seed=0)
    history2 = train(again, small, epochs=3, lr=1.0, clip=1.0, progress=False)
    assert history2.train_perplexity == history.train_perplexity  # same seed, same numbers
    assert history2.val_perplexity == history.val_perplexity


def test_every_backend_trains_like_the_reference(backend, ref, small):
    runs = []
    for d2l in (backend, ref):
        model = RNNLM(small.vocab, 32, d2l, seed=1)
        runs.append(train(model, small, epochs=2, progress=False).val_perplexity)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-4)


def test_sequential_training_carries_the_state(backend):
    data = TimeMachine(batch_size=16, num_steps=8, num_train=3000, num_val=1000)
    model = RNNLM(data.vocab, 24, backend, seed=0)
    history = train(model, data, epochs=2, partition="sequential", progress=False)
    assert history.train_perplexity[-1] < history.train_perplexity[0] < 28


def test_truncated_bptt_gradient_stops_at_the_batch(framework, small):
    """With the carried state detached, the gradient is the one for a constant state."""
    d2l = rnn_guide.get_backend(framework)
    model = RNNLM(small.vocab, 16, d2l, seed=0, sigma=0.3)
    (X1, Y1), (X2, Y2) = list(small.val_batches())[:2]
    X1, Y1, X2, Y2 = (d2l.tensor(a[:8].T) for a in (X1, Y1, X2, Y2))
    H0 = model.begin_state(8)

    def second_batch_loss(detach):
        def f(params, X1, Y1, X2, Y2):
            _, H1 = loss_and_state(d2l, params, X1, Y1, H0)
            H1 = d2l.stop_gradient(H1) if detach else H1
            loss2, _ = loss_and_state(d2l, params, X2, Y2, H1)
            return loss2, H1

        return d2l.value_and_grad(f)(model.params, X1, Y1, X2, Y2)

    _, H1, _ = second_batch_loss(True)
    H1_const = d2l.tensor(d2l.numpy(H1))
    _, _, g_const = gradient_fn(d2l)(model.params, X2, Y2, H1_const)
    _, _, g_detached = second_batch_loss(True)
    _, _, g_full = second_batch_loss(False)
    for a, b in zip(g_detached, g_const):
        np.testing.assert_allclose(d2l.numpy(a), d2l.numpy(b), rtol=1e-5, atol=1e-7)
    # without the detach, gradient flows into the first batch and W_hh's gradient changes
    assert np.max(np.abs(d2l.numpy(g_full.W_hh) - d2l.numpy(g_const.W_hh))) > 1e-6

    # and the training step itself treats the incoming state as a constant
    step = train_step(d2l)
    new_params, _, _ = step(model.params, X2, Y2, H1_const, d2l.tensor(np.float32(1)), math.inf)
    manual = [p - g for p, g in zip(model.params, g_const)]
    for a, b in zip(new_params, manual):
        np.testing.assert_allclose(d2l.numpy(a), d2l.numpy(b), rtol=1e-5, atol=1e-6)


def test_clipping_bounds_the_global_norm(backend):
    rng = np.random.default_rng(0)
    grads = [backend.tensor(rng.normal(size=s) * 10) for s in [(5, 3), (3,), (3, 3)]]
    norm_before = math.sqrt(sum(float(np.sum(backend.numpy(g) ** 2)) for g in grads))
    clipped, norm = backend.clip_by_global_norm(grads, 1.0)
    assert float(backend.numpy(norm)) == pytest.approx(norm_before, rel=1e-5)
    norm_after = math.sqrt(sum(float(np.sum(backend.numpy(g) ** 2)) for g in clipped))
    assert norm_after == pytest.approx(1.0, rel=1e-5)
    for g, c in zip(grads, clipped):  # direction kept
        np.testing.assert_allclose(backend.numpy(c), backend.numpy(g) / norm_before, rtol=1e-5)
    small_grads = [g * 1e-3 for g in grads]
    kept, _ = backend.clip_by_global_norm(small_grads, 1.0)
    for g, k in zip(small_grads, kept):  # below the threshold nothing changes
        np.testing.assert_allclose(backend.numpy(k), backend.numpy(g), rtol=1e-6)


def test_divergence_stops_with_a_clear_message(backend, small):
    model = RNNLM(small.vocab, 16, backend, seed=0)
    with pytest.raises(TrainingDivergedError, match=r"became (nan|inf) in epoch 1 .*clipping") as info:
        train(model, small, epochs=3, lr=1e38, clip=None, progress=False)
    assert info.value.history.epochs == 0
    for p in model.params:  # the model keeps its last finite parameters
        assert np.all(np.isfinite(backend.numpy(p)))


def test_predict_greedy_and_sampled(backend, small):
    model = RNNLM(small.vocab, 32, backend, seed=0)
    train(model, small, epochs=2, progress=False)
    text = model.predict("Time Traveller", 20)
    assert text.startswith("time traveller") and len(text) == len("time traveller") + 20
    assert model.predict("time traveller", 20) == text
    a = model.predict("time", 30, temperature=1.0, seed=1)
    assert a == model.predict("time", 30, temperature=1.0, seed=1)
    assert a != model.predict("time", 30, temperature=1.0, seed=2)
    assert model.predict("time", 0) == "time"


def test_predict_errors(backend, small):
    model = RNNLM(small.vocab, 8, backend)
    with pytest.raises(rnn_guide.RNNGuideError, match="prefix must be a non-empty string"):
        model.predict("", 5)
    with pytest.raises(
        rnn_guide.RNNGuideError, match="num_chars must be a non-negative integer, received -1"
    ):
        model.predict("time", -1)
    with pytest.raises(rnn_guide.RNNGuideError, match=r"temperature must be a finite number >= 0\.001"):
        model.predict("time", 5, temperature=0)
    raw = TimeMachine(batch_size=4, num_steps=4, num_train=100, num_val=10, text="abc " * 40, raw=True)
    raw_model = RNNLM(raw.vocab, 8, backend, preprocessed=False)
    with pytest.warns(UserWarning, match=r"\['x', 'z'\] are not in the vocabulary"):
        assert raw_model.predict("abzx", 3).startswith("abzx")


def test_checkpoint_generates_the_same_text_in_another_backend(backend, ref, small, tmp_path):
    model = RNNLM(small.vocab, 32, backend, seed=0)
    train(model, small, epochs=2, progress=False)
    path = model.save(tmp_path / "model.safetensors", epochs=2)
    assert [p.name for p in tmp_path.iterdir()] == ["model.safetensors"]
    expected = model.predict("time traveller", 40)
    for target in {backend.name, ref.name}:
        loaded = RNNLM.load(path, target)
        assert loaded.d2l.name == target
        assert loaded.meta["epochs"] == 2 and loaded.meta["framework"] == backend.name
        for a, b in zip(loaded.params, model.params):
            np.testing.assert_array_equal(loaded.d2l.numpy(a), backend.numpy(b))
        assert loaded.predict("time traveller", 40) == expected


def test_training_argument_errors(backend, small):
    model = RNNLM(small.vocab, 8, backend)
    for kwargs, message in [
        ({"epochs": 0}, "epochs must be a positive integer, received 0"),
        ({"lr": -1}, "lr must be a positive finite number .*received -1"),
        ({"clip": 0}, "clip must be a positive finite number .*received 0"),
        ({"partition": "shuffled"}, "partition must be one of 'random', 'sequential'"),
        ({"bptt": "full"}, "bptt='full' needs partition='sequential'"),
    ]:
        with pytest.raises(rnn_guide.RNNGuideError, match=message):
            train(model, small, progress=False, **kwargs)


def test_params_are_rebuilt_with_their_names(backend):
    p = rnn_guide.init_params(3, 4, 3, backend)
    assert rebuild(p, list(p))._fields == RNNParams._fields


def test_score_reads_the_whole_history(backend, small):
    model = RNNLM(small.vocab, 16, backend, seed=0, sigma=0.3)
    text = small.text[:200]
    full = model.score(text)
    assert 1 < full["perplexity"] < 100 and 0 <= full["accuracy"] <= 1
    # scoring a subset of positions equals scoring them one prefix at a time
    positions = [5, 50, 120]
    subset = model.score(text, positions=positions)
    hits = [model.next_char_probabilities(text[:t]).argmax() == small.vocab[text[t]] for t in positions]
    assert subset["accuracy"] == pytest.approx(np.mean(hits))
    log_p = [np.log(model.next_char_probabilities(text[:t])[small.vocab[text[t]]]) for t in positions]
    assert subset["perplexity"] == pytest.approx(math.exp(-np.mean(log_p)), rel=1e-4)
    with pytest.raises(rnn_guide.RNNGuideError, match=r"positions to score must lie in \[1, 199\]"):
        model.score(text, positions=[0])


def test_overflowing_loss_is_divergence_not_a_crash(small):
    """A loss so large that exp() overflows stops training with the package's error."""
    model = RNNLM(small.vocab, 16, "numpy", seed=0)
    with pytest.raises(TrainingDivergedError, match="in epoch 1"):
        train(model, small, epochs=2, lr=1e30, clip=None, progress=False)


def test_params_may_be_a_plain_sequence_of_the_cells_tensors(backend):
    vocab = rnn_guide.Vocab("ab")
    p = rnn_guide.init_params(3, 4, 3, backend)
    for given in (tuple(p), list(p)):
        model = RNNLM(vocab, framework=backend, params=given)
        assert model.params._fields == RNNParams._fields and model.num_hiddens == 4
