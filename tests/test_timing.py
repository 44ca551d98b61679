"""time_concat: both forms are timed on every backend, each call waits for its result."""

import time

import numpy as np
import pytest

import rnn_guide
from rnn_guide.backends.numpy import NumpyBackend
from rnn_guide.timing import ConcatTiming, time_concat


def test_time_concat_returns_positive_times_for_each_size(backend):
    result = time_concat(backend, sizes=[3, (5, 2, 4)], repeats=3)
    assert isinstance(result, ConcatTiming)
    assert result.framework == backend.name
    assert result.sizes == [(3, 3, 3), (5, 2, 4)]
    assert result.repeats == 3
    for times in (result.separate, result.concatenated):
        assert len(times) == 2
        assert all(isinstance(t, float) and t > 0 for t in times)
    assert result.speedup == pytest.approx([s / c for s, c in zip(result.separate, result.concatenated)])
    table = result.table().splitlines()
    assert table[0] == f"{backend.name}, median of 3 runs"
    assert table[2].split()[:3] == ["3,", "3,", "3"] and table[3].split()[:3] == ["5,", "2,", "4"]


def test_time_concat_accepts_a_framework_name():
    assert time_concat("numpy", sizes=[2], repeats=1).framework == "numpy"


def test_time_concat_leaves_the_backend_random_state_alone(backend, ref):
    ref.seed(5)
    expected = ref.randn(2, 3)  # drawn first: on NumPy, ``backend`` and ``ref`` are one object
    backend.seed(5)
    time_concat(backend, sizes=[2], repeats=1)
    np.testing.assert_array_equal(backend.numpy(backend.randn(2, 3)), expected)


class SlowToFinish(NumpyBackend):
    """A backend whose work 'finishes' only when the result is read, like JAX or MXNet."""

    delay = 0.004

    def __init__(self):
        super().__init__()
        self.calls = {"matmul": 0, "concat": 0, "numpy": 0}

    def matmul(self, a, b):
        self.calls["matmul"] += 1
        return super().matmul(a, b)

    def concat(self, tensors, axis=0):
        self.calls["concat"] += 1
        return super().concat(tensors, axis)

    def numpy(self, x):
        self.calls["numpy"] += 1
        time.sleep(self.delay)
        return super().numpy(x)


def test_each_timed_call_waits_for_its_result():
    d2l = SlowToFinish()
    repeats = 3
    result = time_concat(d2l, sizes=[4], repeats=repeats)
    runs = repeats + 2  # two warm-up calls per form
    # one read of the result per call of either form, and it is inside the timed region
    assert d2l.calls["numpy"] == 2 * runs
    assert min(result.separate + result.concatenated) >= d2l.delay
    # two matmuls for the separate form, one for the concatenated form
    assert d2l.calls["matmul"] == 2 * runs + runs
    # W is concatenated once; [X, H] in every call of the concatenated form
    assert d2l.calls["concat"] == 1 + runs


EXPECTED = (
    r"an int s \(for n = d = h = s\) or a tuple \(batch_size, num_inputs, num_hiddens\) of positive ints"
)


@pytest.mark.parametrize(
    "sizes, received",
    [
        ([0], "received 0"),
        ([4, -2], "received -2"),
        ([(2, 3)], r"received \(2, 3\)"),
        ([(2, 3, 0)], r"received \(2, 3, 0\)"),
        ([2.5], "received 2.5"),
        ([True], "received True"),
        ("64", "received '64'"),
        (64, "received 64"),
        ([], r"received \[\]"),
    ],
)
def test_bad_sizes_name_what_was_expected_and_received(sizes, received):
    with pytest.raises(rnn_guide.RNNGuideError, match=f"time_concat: .*{EXPECTED}.*{received}"):
        time_concat("numpy", sizes=sizes, repeats=1)


@pytest.mark.parametrize("repeats", [0, -3, 1.5, None])
def test_bad_repeats(repeats):
    with pytest.raises(
        rnn_guide.RNNGuideError, match=f"repeats must be a positive integer, received {repeats!r}"
    ):
        time_concat("numpy", sizes=[2], repeats=repeats)


def test_no_sizes_at_all():
    with pytest.raises(rnn_guide.RNNGuideError, match=r"sizes must hold at least one size .*received \[\]"):
        time_concat("numpy", sizes=[], repeats=1)
