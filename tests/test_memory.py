"""rnn_guide.memory: ||dH_T/dH_t|| for every cell, and the recall task, in every framework env."""

import numpy as np
import pytest

import rnn_guide
from rnn_guide import memory
from rnn_guide.gradients import window_gradient_norms

TEXT = "the time traveller"


def vocab():
    return rnn_guide.Vocab("abcdefghijklmnopqrstuvwxyz ")


def test_rnn_norms_equal_the_hand_written_jacobians(framework):
    """Autograd through the guide's rnn_step gives the NumPy chain of diag(1 - H^2) W_hh^T products."""
    for sigma in (0.01, 0.3):
        model = rnn_guide.RNNLM(vocab(), 8, framework, seed=1, sigma=sigma)
        got = memory.state_gradient_norms(model, TEXT)
        ref = rnn_guide.RNNLM(vocab(), 8, "numpy", seed=1, sigma=sigma)
        want = window_gradient_norms(ref, TEXT)
        assert got.shape == (len(TEXT) + 1,) and got[0] == pytest.approx(1.0)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-30)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_gated_norms_match_central_differences_and_every_framework(framework, cell):
    """One column of dH_T/dH_t by finite differences on the NumPy forward pass, and the norms
    against a second framework-independent path: the same numbers from the same seed."""
    d2l = rnn_guide.use(framework)
    model = rnn_guide.RNNLM(vocab(), 6, d2l, seed=2, sigma=0.5, cell=cell)
    norms = memory.state_gradient_norms(model, TEXT[:6])
    assert norms[0] == pytest.approx(1.0)
    # finite differences in float64: perturb H_t (t = 6 - k) along e_j, read the change of H_T
    params = [d2l.numpy(p).astype(np.float64) for p in model.params]
    np_params = type(model.params)(*params)
    ids = model.vocab.encode(TEXT[:6])

    def run(t0, delta):
        step = rnn_guide.gru_step if cell == "gru" else rnn_guide.lstm_step
        H = np.zeros((1, 6))
        state = H if cell == "gru" else (H, np.zeros((1, 6)))
        for t, i in enumerate(ids):
            if t == t0:
                state = state + delta if cell == "gru" else (state[0] + delta, state[1])
            x = np.eye(len(model.vocab))[[i]]
            state = step(x, state, np_params, backend="numpy")
        return state if cell == "gru" else state[0]

    k, eps = 3, 1e-6
    J = np.stack([(run(6 - k, eps * e) - run(6 - k, -eps * e))[0] / (2 * eps) for e in np.eye(6)], 1)
    assert norms[k] == pytest.approx(np.linalg.norm(J, 2), rel=1e-3)


def test_norms_refuse_a_numpy_model():
    model = rnn_guide.RNNLM(vocab(), 4, "numpy", cell="gru")
    with pytest.raises(rnn_guide.RNNGuideError, match="needs a framework's autograd.*received a NumPy model"):
        memory.state_gradient_norms(model, TEXT)


def test_norms_refuse_empty_text(framework):
    model = rnn_guide.RNNLM(vocab(), 4, framework, cell="lstm")
    with pytest.raises(rnn_guide.RNNGuideError, match="text must be a non-empty str, received ''"):
        memory.state_gradient_norms(model, "")


def test_recall_batch_puts_one_letter_at_its_distance():
    X, Y, distance = memory.recall_batch(np.random.default_rng(0), 64, 10)
    v = memory.recall_vocab()
    assert X.shape == (10, 64) and Y.shape == (1, 64) and distance.shape == (64,)
    for j in range(64):
        (letters,) = np.nonzero(X[:, j] != v["."])
        assert list(letters) == [9 - distance[j]]
        assert X[letters[0], j] == Y[0, j] and v.idx_to_token[Y[0, j]] in "abcd"
    assert set(distance) <= set(range(10)) and len(set(distance)) > 5


def test_recall_is_learned_by_a_gru_and_scored_by_distance(framework):
    """A short version of the notebook's run: the GRU learns 8 steps back; the scores are per distance."""
    run = memory.train_recall(framework, "gru", num_steps=8, steps=150, batch_size=64, lr=4.0, seed=0)
    assert len(run.losses) == 150 and np.all(np.isfinite(run.losses))
    assert run.losses[-1] < run.losses[0]
    assert run.accuracy > 0.9  # chance is 0.25
    by_distance = run.accuracy_by_distance([0, 4, 8])
    assert len(by_distance) == 2 and min(by_distance) > 0.8
    assert run.settings["steps"] == 150 and run.cell == "gru"


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_recall_first_loss_is_the_numpy_models_loss(framework, cell):
    """Every framework starts from the NumPy model's loss on the same first batch: same seed, same numbers."""
    run = memory.train_recall(framework, cell, num_steps=5, steps=1, batch_size=16, seed=3)
    ref = rnn_guide.RNNLM(memory.recall_vocab(), 32, "numpy", seed=3, sigma=0.2, cell=cell)
    X, Y, _ = memory.recall_batch(np.random.default_rng(3), 16, 5)
    logits = memory._last_logits(ref.d2l, ref.params, X)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    assert run.losses[0] == pytest.approx(-log_p[np.arange(16), Y[0]].mean(), rel=1e-5)


def test_recall_refuses_numpy_and_bad_settings():
    with pytest.raises(rnn_guide.RNNGuideError, match="train_recall: needs a framework's autograd"):
        memory.train_recall("numpy", "rnn")
    with pytest.raises(rnn_guide.RNNGuideError, match="cell must be one of.*received 'conv'"):
        memory.train_recall("numpy", "conv")
    with pytest.raises(rnn_guide.RNNGuideError, match="steps"):
        memory.train_recall("numpy", "gru", steps=0)
