"""Threads per operation in ``train`` and ``evaluate`` (rnn_guide/backends/threads.py).

The framework's thread count is the same after a call as before it, also when the call raises;
``threads`` is checked; the choice between one thread and the framework's count follows the step
times, here those of a fake clock. No timing assertion: speed is measured in benchmarks/threads.py.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import load_backend

from rnn_guide import RNNGuideError
from rnn_guide.backends import threads as T
from rnn_guide.data import TimeMachine
from rnn_guide.language_model import RNNLM
from rnn_guide.training import evaluate, train

TEXT = "the time traveller for so it will be convenient to speak of him was expounding a matter to us " * 30


@pytest.fixture(scope="module")
def data():
    # 256 rows x 32 steps x 24 tokens: large enough for PyTorch to split operations over threads
    return TimeMachine(batch_size=256, num_steps=32, num_train=768, num_val=256, text=TEXT)


@pytest.fixture
def torch_threads():
    """PyTorch's backend with 3 threads per operation for the test (the count a test run had comes back)."""
    d2l = load_backend("pytorch")
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(3)
    yield d2l, torch
    torch.set_num_threads(before)


class Watched:
    """``data`` as train sees it, noting PyTorch's thread count at each batch; raises where asked."""

    def __init__(self, data, torch, fail_at_epoch=None, error=RuntimeError):
        self.data, self.vocab, self.batch_size, self.torch = data, data.vocab, data.batch_size, torch
        self.num_steps, self.num_train = data.num_steps, data.num_train  # for train's memory estimate
        self.seen, self.epochs, self.fail_at_epoch, self.error = [], 0, fail_at_epoch, error

    def train_batches(self, rng=None, partition="random"):
        self.epochs += 1
        if self.epochs == self.fail_at_epoch:
            raise self.error("stopped by the test")
        for batch in self.data.train_batches(rng, partition):
            self.seen.append(self.torch.get_num_threads())
            yield batch

    def val_batches(self, partition="random"):
        return self.data.val_batches(partition)


# -------------------------------------------------------------------------------- the count comes back
@pytest.mark.parametrize("threads, during", [("auto", {1, 3}), (2, {2}), (1, {1}), (None, {3})])
def test_train_runs_on_the_asked_count_and_restores_it(torch_threads, data, threads, during):
    d2l, torch = torch_threads
    watched = Watched(data, torch)
    train(RNNLM(data.vocab, 8, d2l), watched, epochs=3, progress=False, threads=threads)
    assert torch.get_num_threads() == 3
    assert (
        set(watched.seen) <= during and len(watched.seen) == 9
    )  # the count in effect as each batch is drawn


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
@pytest.mark.parametrize("threads", ["auto", 1])
def test_the_count_comes_back_when_training_raises(torch_threads, data, threads, error):
    d2l, torch = torch_threads
    with pytest.raises(error, match="stopped by the test"):
        train(
            RNNLM(data.vocab, 8, d2l),
            Watched(data, torch, 2, error),
            epochs=3,
            progress=False,
            threads=threads,
        )
    assert torch.get_num_threads() == 3


def test_the_count_comes_back_when_the_loss_diverges(torch_threads, data):
    d2l, torch = torch_threads
    model = RNNLM(data.vocab, 8, d2l)
    with pytest.raises(RNNGuideError, match="the training loss became"):
        train(model, data, epochs=3, lr=1e30, clip=None, progress=False, threads=1)
    assert torch.get_num_threads() == 3


@pytest.mark.parametrize("threads", ["auto", 2, None])
def test_evaluate_restores_the_count(torch_threads, data, threads):
    d2l, torch = torch_threads
    model = RNNLM(data.vocab, 8, d2l)
    evaluate(model, data.val_batches(), threads=threads)
    assert torch.get_num_threads() == 3


def test_one_thread_and_three_give_the_same_losses(torch_threads, data):
    d2l, _ = torch_threads
    runs = [
        train(RNNLM(data.vocab, 16, d2l, seed=1), data, epochs=2, progress=False, threads=n)
        for n in (1, 3, "auto")
    ]
    assert runs[0].train_perplexity == runs[1].train_perplexity == runs[2].train_perplexity
    assert runs[0].val_perplexity == runs[1].val_perplexity == runs[2].val_perplexity


# ------------------------------------------------------------------------------------ the argument
@pytest.mark.parametrize("bad", [0, -1, 1.5, "two", "AUTO", True, [2]])
def test_threads_is_checked_with_a_clear_error(ref, data, bad):
    model = RNNLM(data.vocab, 8, ref)
    expected = r"threads must be 'auto', None or a positive integer \(the number of threads per operation\)"
    with pytest.raises(
        RNNGuideError, match=rf"^train: {expected}, received {re.escape(T.check.shown(bad))}$"
    ):
        train(model, data, epochs=1, progress=False, threads=bad)
    with pytest.raises(RNNGuideError, match=rf"^evaluate: {expected}, received"):
        evaluate(model, data.val_batches(), threads=bad)


def test_a_count_where_the_framework_fixes_its_threads_is_refused(backend, data):
    model = RNNLM(data.vocab, 8, backend)
    if backend._get_threads() is not None:  # PyTorch changes its count while running: see above
        assert train(model, data, epochs=1, progress=False, threads=2).epochs == 1
        return
    with pytest.raises(RNNGuideError, match=rf"^train: threads=2 needs a framework .*'{backend.name}'"):
        train(model, data, epochs=1, progress=False, threads=2)
    for threads in ("auto", None):  # change nothing there
        assert train(model, data, epochs=1, progress=False, threads=threads).epochs == 1


# ------------------------------------------------------------- use(framework, threads=n): the opt-in
def test_use_with_threads_sets_pytorchs_count_for_the_process(torch_threads):
    import rnn_guide

    _, torch = torch_threads
    assert rnn_guide.use("pytorch", threads=1) is rnn_guide.get_backend("pytorch")
    assert torch.get_num_threads() == 1
    rnn_guide.use("pytorch")  # without threads: unchanged
    assert torch.get_num_threads() == 1


@pytest.mark.parametrize("bad", [0, -2, 1.5, "1", True])
def test_use_checks_threads(bad):
    import rnn_guide

    with pytest.raises(
        RNNGuideError, match=rf"^use: threads must be a positive integer, received {re.escape(repr(bad))}"
    ):
        rnn_guide.use("numpy", threads=bad)


def test_use_says_where_threads_are_not_applied(capsys):
    import rnn_guide

    rnn_guide.use("numpy", threads=1)
    assert (
        capsys.readouterr().err
        == "rnn_guide: threads=1 is not applied: numpy has no thread setting of its own\n"
    )


def test_use_threads_per_framework(framework, capsys):
    import rnn_guide

    if framework == "pytorch":  # in detail above
        assert rnn_guide.use(framework, threads=None) is rnn_guide.get_backend(framework)
        return
    if framework != "tensorflow":  # JAX, MXNet: a line on stderr, nothing changed
        rnn_guide.use(framework, threads=1)
        assert f"threads=1 is not applied: {framework} fixes its threads" in capsys.readouterr().err
        return
    # This process ran TensorFlow already: its threads can no longer change.
    with pytest.raises(
        RNNGuideError, match=r"^use: TensorFlow's runtime has already started, with .* threads=7"
    ):
        rnn_guide.use("tensorflow", threads=7)
    # In a fresh process, before any TensorFlow operation, they can.
    code = (
        "import rnn_guide, tensorflow as tf; rnn_guide.use('tensorflow', threads=1); tf.ones(2) + 1; "
        "c = tf.config.threading; "
        "print(c.get_intra_op_parallelism_threads(), c.get_inter_op_parallelism_threads())"
    )
    root = str(Path(rnn_guide.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["1", "1"]
