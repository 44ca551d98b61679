"""rnn_guide.limits: the size figures, the memory estimate and the bounded read of a text file."""

import os
import time
from types import SimpleNamespace

import numpy as np
import pytest

from rnn_guide import RNNLM, RNNGuideError, Vocab, limits
from rnn_guide._cells import CELLS
from rnn_guide._lm_params import flat_params


@pytest.mark.parametrize(
    "num_bytes, text",
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (12 * 2**10, "12.0 KiB"),
        (512 * 2**20, "512.0 MiB"),
        (8 * 2**30, "8.0 GiB"),
        (8 * 10**12, "7.3 TiB"),  # a (10**6, 10**6) float64 matrix, as NumPy reports it
    ],
)
def test_size_text(num_bytes, text):
    assert limits.size_text(num_bytes) == text


@pytest.mark.parametrize("cell", CELLS.values(), ids=list(CELLS))
def test_parameter_bytes_are_the_bytes_init_draws(cell):
    params = cell.init(5, 7, 3, "numpy")
    gates = sum(len(group) for group in cell.groups)  # 1, 3, 4
    assert limits.parameter_bytes(5, 7, 3, gates) == sum(np.asarray(p).nbytes for p in params)


@pytest.mark.parametrize("structure", [(2, 1), (1, 2), (3, 2)], ids=["2 layers", "bidirectional", "3 x 2"])
@pytest.mark.parametrize("cell", CELLS.values(), ids=list(CELLS))
def test_parameter_bytes_of_a_stack_are_the_bytes_of_its_model(cell, structure):
    model = RNNLM(
        Vocab("abcd"), 7, "numpy", cell=cell, num_layers=structure[0], bidirectional=structure[1] == 2
    )
    gates = sum(len(group) for group in cell.groups)
    used = sum(np.asarray(p).nbytes for p in flat_params(model.params).values())  # without the unused W_hq
    assert limits.parameter_bytes(5, 7, 5, gates, *structure) == used


def test_a_stack_scales_the_run_estimate_and_names_its_layers():
    one, deep = limits.run_bytes(1024, 32, 28, 32, 3), limits.run_bytes(1024, 32, 28, 32, 3, False, 2, 2)
    tokens = 1024 * 32  # four cells' vectors (5 each, GRU) and two copies each, against one cell's 5
    assert deep - one == tokens * 4 * 32 * (4 * 5 + 8 - 5) + 3 * (
        limits.parameter_bytes(28, 32, 28, 3, 2, 2) - limits.parameter_bytes(28, 32, 28, 3)
    )
    with pytest.raises(
        RNNGuideError, match=r"cell 'gru', 64 layers, bidirectional\) needs about .* fewer layers"
    ):
        limits.check_run(1024, 32, 28, 1024, CELLS["gru"], "train", 64, 2)
    model = SimpleNamespace(
        num_hiddens=2048, cell="lstm", num_layers=64, bidirectional=False, vocab=range(28)
    )
    with pytest.raises(RNNGuideError, match=r"evaluate: .*64 layers\) needs about"):
        limits.check_batch(model, CELLS["lstm"], np.zeros((1024, 32), np.int64))
    assert limits.check_num_layers(64) == 64
    with pytest.raises(
        RNNGuideError, match=r"x: num_layers must be at most 64 \(rnn_guide.limits.MAX_NUM_LAYERS\)"
    ):
        limits.check_num_layers(65, "x")


def test_the_estimate_for_the_books_settings():
    # 1024 * 32 tokens, each 4 * (3 * 28 + 3 * 32) bytes of floats and 32 of indices, then the
    # 2876 parameters three times over (parameters, gradients, the copy kept for a divergence)
    assert limits.parameter_bytes(28, 32, 28) == 4 * 2876
    assert limits.run_bytes(1024, 32, 28, 32) == 1024 * 32 * (4 * 180 + 32) + 3 * 4 * 2876 == 24_676_048
    assert limits.size_text(limits.run_bytes(1024, 32, 28, 32)) == "23.5 MiB"
    limits.check_run(1024, 32, 28, 32, CELLS["rnn"], "train")  # far below the limit


def test_the_reported_run_is_refused_with_its_estimate():
    # rnn-guide train --num-steps 100000 was killed at 23.9 GB: the estimate says so first
    with pytest.raises(RNNGuideError) as info:
        limits.check_run(1024, 100_000, 28, 32, CELLS["rnn"], "train")
    message = str(info.value)
    assert message.startswith("train: a minibatch of batch_size = 1024 windows of num_steps = 100000")
    assert (
        "needs about 71.7 GiB, more than the limit of 8.0 GiB (rnn_guide.limits.MAX_MEMORY_BYTES)" in message
    )


def test_full_bptt_is_estimated_over_the_whole_epoch():
    model = SimpleNamespace(num_hiddens=8192, cell="lstm")
    data = SimpleNamespace(batch_size=16, num_steps=32, num_train=200_000, vocab=range(28))
    limits.check_training(model, CELLS["lstm"], data, "truncated")
    with pytest.raises(RNNGuideError, match=r"num_steps = 12502 .* needs about"):
        limits.check_training(model, CELLS["lstm"], data, "full")


def test_parameters_too_large_for_memory_name_the_figure():
    with pytest.raises(RNNGuideError) as info:
        limits.check_parameters(10**11, 8, 3, 1, "init_params")
    assert str(info.value) == (
        "init_params: a cell with 100000000000 inputs, 8 hidden units, 3 outputs and 1 weight group needs "
        "about 2.9 TiB, "
        "more than the limit of 8.0 GiB (rnn_guide.limits.MAX_MEMORY_BYTES); use fewer inputs, hidden "
        "units or outputs"
    )


@pytest.mark.parametrize(
    "check, limit, name",
    [
        (limits.check_num_steps, limits.MAX_NUM_STEPS, "MAX_NUM_STEPS"),
        (limits.check_num_hiddens, limits.MAX_NUM_HIDDENS, "MAX_NUM_HIDDENS"),
        (limits.check_batch_size, limits.MAX_BATCH_SIZE, "MAX_BATCH_SIZE"),
        (limits.check_num_chars, limits.MAX_NUM_CHARS, "MAX_NUM_CHARS"),
    ],
)
def test_each_size_is_accepted_up_to_its_limit(check, limit, name):
    assert check(limit, "f") == limit
    with pytest.raises(RNNGuideError) as info:
        check(limit + 1, "f")
    assert str(info.value).endswith(
        f"must be at most {limit} (rnn_guide.limits.{name}), received {limit + 1}"
    )


# ------------------------------------------------------------------ read_bounded
def test_a_regular_file_is_read_whole(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"abc\r\n" * 1000)
    assert limits.read_bounded(path) == b"abc\r\n" * 1000


def test_dev_zero_is_refused_at_once():
    start = time.perf_counter()
    with pytest.raises(
        RNNGuideError, match=r"^cannot read the text file /dev/zero: it is a character device"
    ):
        limits.read_bounded("/dev/zero")
    assert time.perf_counter() - start < 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(RNNGuideError, match=r"pipe: it is a FIFO \(named pipe\), expected a regular file"):
        limits.read_bounded(tmp_path / "pipe")


def test_a_directory_and_a_missing_file_are_named(tmp_path):
    with pytest.raises(RNNGuideError, match=r"^cannot read the text file .*: Is a directory$"):
        limits.read_bounded(tmp_path)
    with pytest.raises(RNNGuideError, match=r"nope\.txt: No such file or directory$"):
        limits.read_bounded(tmp_path / "nope.txt")


def test_a_file_the_user_may_not_read_is_named(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text("x")

    def not_allowed(*args, **kwargs):  # root may read anything: ask the system to say no
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(limits.os, "open", not_allowed)
    with pytest.raises(RNNGuideError, match=r"^cannot read the text file .*secret\.txt: Permission denied$"):
        limits.read_bounded(path)


def test_a_file_larger_than_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    with open(path, "wb") as file:  # sparse: 10 GiB that take no room on disk
        file.truncate(10 * 2**30)
    start = time.perf_counter()
    with pytest.raises(RNNGuideError) as info:
        limits.read_bounded(path)
    assert time.perf_counter() - start < 1
    assert str(info.value).endswith(
        "big.txt: it is 10.0 GiB, more than the limit of 64.0 MiB (rnn_guide.limits.MAX_TEXT_BYTES)"
    )


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux's /proc")
def test_a_file_that_gives_more_than_its_size_is_still_bounded(monkeypatch):
    # /proc files report size 0 and then give more: the read stops at the limit plus one byte
    monkeypatch.setattr(limits, "MAX_TEXT_BYTES", 10)
    with pytest.raises(
        RNNGuideError, match=r"status: it grew while being read, to more than the limit of 10 B"
    ):
        limits.read_bounded("/proc/self/status")
