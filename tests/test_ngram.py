import math

import numpy as np
import pytest

from rnn_guide import NgramModel, RNNGuideError, Vocab


def test_counts_and_probabilities():
    vocab = Vocab("abab")
    ids = vocab.encode("abababab")
    model = NgramModel(2, len(vocab), k=0.5).fit(ids)
    p = model.probabilities(vocab.encode("a"))
    assert p.sum() == pytest.approx(1.0)
    assert model.predict_next(vocab.encode("xxa")) == vocab["b"]  # only the last n - 1 count
    a, b = vocab["a"], vocab["b"]
    assert p[b] == pytest.approx((4 + 0.5) / (4 + 0.5 * len(vocab)))
    assert p[a] == pytest.approx(0.5 / (4 + 0.5 * len(vocab)))


def test_evaluate_perplexity_and_accuracy():
    vocab = Vocab("abc")
    ids = vocab.encode("abcabcabcabc")
    model = NgramModel(3, len(vocab), k=1e-6).fit(ids)
    result = model.evaluate(ids)
    assert result["accuracy"] == 1.0 and result["perplexity"] == pytest.approx(1.0, abs=1e-3)
    unigram = NgramModel(1, len(vocab), k=1e-6).fit(ids).evaluate(ids)
    assert unigram["perplexity"] == pytest.approx(3.0, rel=1e-3)  # a, b, c equally frequent
    assert math.isclose(np.log(unigram["perplexity"]), np.log(3), rel_tol=1e-3)


def test_errors():
    with pytest.raises(RNNGuideError, match="n must be a positive integer, received 0"):
        NgramModel(0, 5)
    with pytest.raises(RNNGuideError, match="fit needs at least n = 3 tokens, received 2"):
        NgramModel(3, 5).fit([1, 2])
    with pytest.raises(RNNGuideError, match="context must have at least 2 tokens, received 1"):
        NgramModel(3, 5).fit([1, 2, 3]).probabilities([1])
