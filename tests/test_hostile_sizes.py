"""Hostile sizes: every size is bounded before any work or allocation starts (rnn_guide.limits).

Rows as in test_hostile_inputs.py, ``(id, call, match, error)``: ``FRAMEWORK_ROWS`` take a
:class:`~hostile.Ctx` and run on every backend under test, ``PLAIN_ROWS`` take a temporary
folder. ``COMMAND_LINES`` run ``python -m rnn_guide`` in a process of its own, as a shell would:
each must end with code 2 and one line on stderr, print nothing on stdout, and fail well before
anything is trained (the interpreter's start included; measured by hand, each takes under 0.5 s).
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from hostile import TEXT, Ctx, raises_as_the_row_says, row

import rnn_guide
from rnn_guide import RNNGuideError
from rnn_guide._config import resolve_framework
from rnn_guide.data import TimeMachine, Vocab, read_time_machine
from rnn_guide.language_model import RNNLM
from rnn_guide.training import train

ROOT = Path(__file__).resolve().parents[1]
HUGE = "x" * 100_000  # a 100 KB value, e.g. pasted by mistake into a variable


def _train_on_huge_batches(c):
    data = TimeMachine(batch_size=65_536, num_steps=10_000, num_train=1, num_val=0, text=TEXT * 50)
    return train(RNNLM(data.vocab, 8, c.d2l), data, epochs=1, progress=False)


def _evaluate_huge_batches(c):
    X = np.broadcast_to(np.zeros(1, np.int64), (65_536, 10_000))  # a view: nothing is allocated
    return c.model.perplexity([(X, X)])


def _only_root_skips(tmp):
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root reads any file; test_limits.py covers this with the system's refusal")
    folder = tmp / "book"
    folder.mkdir()
    (folder / "timemachine.txt").write_text("x")
    (folder / "timemachine.txt").chmod(0)
    return read_time_machine(environ={"RNN_GUIDE_DATA_DIR": str(folder)})


def _data_dir_holding(tmp, make):
    folder = tmp / "book"
    folder.mkdir()
    make(folder / "timemachine.txt")
    return read_time_machine(environ={"RNN_GUIDE_DATA_DIR": str(folder)})


def _sparse(path, size):
    with open(path, "wb") as file:
        file.truncate(size)
    return path


# fmt: off
FRAMEWORK_ROWS = [
    row("RNNLM num_hiddens 10**6", lambda c: RNNLM(c.data.vocab, 10**6, c.d2l),
        r"RNNLM: num_hiddens must be at most 8192 \(rnn_guide\.limits\.MAX_NUM_HIDDENS\), received 1000000"),
    row("RNNLM gru num_hiddens 10**6", lambda c: RNNLM(c.data.vocab, 10**6, c.d2l, cell="gru"),
        r"RNNLM: num_hiddens must be at most 8192 .*received 1000000"),
    row("init_params num_hiddens 10**6", lambda c: rnn_guide.init_params(3, 10**6, 3, c.d2l),
        r"init_params: num_hiddens must be at most 8192 .*received 1000000"),
    row("init_gru_params num_hiddens 10**6", lambda c: rnn_guide.init_gru_params(3, 10**6, 3, c.d2l),
        r"init_gru_params: num_hiddens must be at most 8192 .*received 1000000"),
    row("init_lstm_params num_hiddens 10**6", lambda c: rnn_guide.init_lstm_params(3, 10**6, 3, c.d2l),
        r"init_lstm_params: num_hiddens must be at most 8192 .*received 1000000"),
    row("init_params 10**11 inputs", lambda c: rnn_guide.init_params(10**11, 8, 3, c.d2l),
        r"init_params: a cell with 100000000000 inputs, 8 hidden units, 3 outputs and 1 weight group needs "
        r"about 2\.9 TiB, "
        r"more than the limit of 8\.0 GiB"),
    row("init_lstm_params 10**9 outputs", lambda c: rnn_guide.init_lstm_params(3, 8, 10**9, c.d2l),
        r"init_lstm_params: a cell with 3 inputs, 8 hidden units, 1000000000 outputs and 4 weight groups "
        r"needs about 33\.5 GiB"),
    row("train 65536 x 10000", _train_on_huge_batches,
        r"train: a minibatch of batch_size = 65536 windows of num_steps = 10000 .* needs about [\d.]+ GiB, "
        r"more than the limit of 8\.0 GiB"),
    row("evaluate 65536 x 10000", _evaluate_huge_batches,
        r"evaluate: a minibatch of batch_size = 65536 windows of num_steps = 10000 .* needs about"),
    row("RNNLM gru with RNNParams", lambda c: RNNLM(Vocab("ab"), framework=c.d2l, cell="gru", params=c.p),
        r"RNNLM: cell='gru' needs params of type GRUParams .*received RNNParams, the parameters of cell"),
    row("RNNLM lstm with RNNParams", lambda c: RNNLM(Vocab("ab"), framework=c.d2l, cell="lstm", params=c.p),
        r"RNNLM: cell='lstm' needs params of type LSTMParams .*received RNNParams"),
    row("RNNLM params 5", lambda c: RNNLM(Vocab("ab"), framework=c.d2l, params=5),
        r"RNNLM: cell='rnn' needs params of type RNNParams .*received 5 of type int"),
    row("RNNLM params of 2", lambda c: RNNLM(Vocab("ab"), framework=c.d2l, params=list(c.p)[:2]),
        r"RNNLM: cell='rnn' needs params .*received a list of 2 items"),
    row("RNNLM vocab 'abc'", lambda c: RNNLM("abc", 8, c.d2l),
        r"RNNLM: vocab must be a rnn_guide\.Vocab, .*received 'abc'"),
    row("RNNLM vocab list", lambda c: RNNLM(["a", "b"], 8, c.d2l),
        r"RNNLM: vocab must be a rnn_guide\.Vocab, .*received \['a', 'b'\]"),
]

PLAIN_ROWS = [
    row("TimeMachine num_steps 100000", lambda t: TimeMachine(num_steps=100_000),
        r"TimeMachine: num_steps must be at most 10000 \(rnn_guide\.limits\.MAX_NUM_STEPS\), "
        r"received 100000"),
    row("TimeMachine batch_size 10**6", lambda t: TimeMachine(batch_size=10**6),
        r"TimeMachine: batch_size must be at most 65536 \(rnn_guide\.limits\.MAX_BATCH_SIZE\), "
        r"received 1000000"),
    row("path /dev/zero", lambda t: TimeMachine(path="/dev/zero"),
        r"cannot read the text file /dev/zero: it is a character device, expected a regular file"),
    row("path a FIFO", lambda t: (os.mkfifo(t / "pipe"), TimeMachine(path=t / "pipe")),
        r"cannot read the text file .*pipe: it is a FIFO \(named pipe\), expected a regular file"),
    row("path 10 GiB", lambda t: TimeMachine(path=_sparse(t / "big.txt", 10 * 2**30)),
        r"big\.txt: it is 10\.0 GiB, more than the limit of 64\.0 MiB \(rnn_guide\.limits\.MAX_TEXT_BYTES\)"),
    row("data dir book is /dev/zero", lambda t: _data_dir_holding(t, lambda p: p.symlink_to("/dev/zero")),
        r"cannot read RNN_GUIDE_DATA_DIR's .*timemachine\.txt: it is a character device"),
    row("data dir book is a folder", lambda t: _data_dir_holding(t, lambda p: p.mkdir()),
        r"cannot read RNN_GUIDE_DATA_DIR's .*timemachine\.txt: Is a directory"),
    row("data dir book unreadable", _only_root_skips,
        r"cannot read RNN_GUIDE_DATA_DIR's .*timemachine\.txt: Permission denied"),
    row("data dir 100 KB", lambda t: read_time_machine(environ={"RNN_GUIDE_DATA_DIR": HUGE}),
        r"RNN_GUIDE_DATA_DIR='x{20,60}\.\.\.x{9}' \(100002 characters\) names a folder that cannot be used"),
    row("RNN_GUIDE_FRAMEWORK 100 KB", lambda t: resolve_framework(None, {"RNN_GUIDE_FRAMEWORK": HUGE}),
        r"RNN_GUIDE_FRAMEWORK='x+\.\.\.x+' \(100002 characters\) is invalid: unknown framework 'x+\.\.\.x+'"),
    row("framework 100 KB", lambda t: rnn_guide.get_backend(HUGE),
        r"^unknown framework 'x{20,60}\.\.\.x{9}' \(100002 characters\): expected one of"),
    row("text and a 100 KB path", lambda t: TimeMachine(text="abc", path=HUGE),
        r"give either text or path, not both; received path='x+\.\.\.x+' \(100002 characters\)"),
]
# fmt: on


@pytest.mark.parametrize("row", FRAMEWORK_ROWS, ids=[r.id for r in FRAMEWORK_ROWS])
def test_framework_row(row, backend, tmp_path):
    start = time.perf_counter()
    raises_as_the_row_says(row, lambda: row.call(Ctx(backend, tmp_path)))
    assert time.perf_counter() - start < 5, "the size must be refused before the work starts"


@pytest.mark.parametrize("row", PLAIN_ROWS, ids=[r.id for r in PLAIN_ROWS])
def test_plain_row(row, tmp_path):
    if row.id == "path a FIFO" and not hasattr(os, "mkfifo"):
        pytest.skip("FIFOs are POSIX")
    start = time.perf_counter()
    raises_as_the_row_says(row, lambda: row.call(tmp_path))
    assert time.perf_counter() - start < 5, "the size must be refused before the work starts"


def test_a_long_value_gives_a_short_message():
    for call in (
        lambda: resolve_framework(None, {"RNN_GUIDE_FRAMEWORK": HUGE}),
        lambda: rnn_guide.get_backend(HUGE),
        lambda: read_time_machine(environ={"RNN_GUIDE_DATA_DIR": HUGE}),
    ):
        with pytest.raises(RNNGuideError) as info:
            call()
        assert len(str(info.value)) < 500


def test_the_tables_ids_are_unique():
    for table in (FRAMEWORK_ROWS, PLAIN_ROWS):
        assert len({r.id for r in table}) == len(table)


# ------------------------------------------------------------------ the command line, as a shell runs it
class Line(NamedTuple):
    id: str
    argv: list  # "{tmp}" stands for the test's temporary folder
    env: dict  # rnn_guide's variables to set
    match: str  # a regex that stderr's last line must match


LIMIT = "the value must be at most"
# fmt: off
COMMAND_LINES = [
    Line("--num-steps 100000", ["train", "--num-steps", "100000"], {},
         rf"argument --num-steps: {LIMIT} 10000 \(rnn_guide\.limits\.MAX_NUM_STEPS\), received 100000"),
    Line("--hidden 1000000", ["train", "--hidden", "1000000"], {},
         rf"argument --hidden: {LIMIT} 8192 \(rnn_guide\.limits\.MAX_NUM_HIDDENS\), received 1000000"),
    Line("--batch-size 10**6", ["train", "--batch-size", "1000000"], {},
         rf"argument --batch-size: {LIMIT} 65536 .*received 1000000"),
    Line("--text /dev/zero", ["train", "--text", "/dev/zero"], {},
         r"^rnn-guide: error: cannot read the text file /dev/zero: it is a character device"),
    Line("batch x steps too large", ["train", "--batch-size", "65536", "--num-steps", "10000"], {},
         r"^rnn-guide: error: train: a minibatch of batch_size = 65536 windows of num_steps = 10000 .*"
         r"needs about 459\.0 GiB, more than the limit of 8\.0 GiB"),
    Line("--num-chars 10**9", ["generate", "--checkpoint", "m", "--num-chars", "1000000000"], {},
         rf"argument --num-chars: {LIMIT} 100000 .*received 1000000000"),
    Line("--save folder/", ["train", "--save", "{tmp}/out/"], {},
         r"^rnn-guide: error: cannot save to .*/out/: a name ending in / is a folder, expected a file name "
         r"such as .*/out/model\.safetensors$"),
    Line("--save an existing folder", ["train", "--save", "{tmp}"], {},
         r"^rnn-guide: error: cannot save to .*: it is a directory"),
    Line("RNN_GUIDE_FRAMEWORK 100 KB", ["check"], {"RNN_GUIDE_FRAMEWORK": HUGE},
         r"^rnn-guide: error: RNN_GUIDE_FRAMEWORK='x+\.\.\.x+' \(100002 characters\) is invalid"),
    Line("--framework 100 KB", ["check", "--framework", HUGE], {},
         r"^rnn-guide: error: unknown framework 'x+\.\.\.x+' \(100002 characters\)"),
    Line("data dir book is /dev/zero", ["train", "-f", "numpy"], {"RNN_GUIDE_DATA_DIR": "{tmp}/zero"},
         r"^rnn-guide: error: cannot read RNN_GUIDE_DATA_DIR's .*timemachine\.txt: it is a character device"),
]
# fmt: on


def rnn_guide_command(argv, env):
    """``python -m rnn_guide ARGV`` in the repository, run as a shell runs it, and its seconds.

    Of rnn_guide's own variables (``RNN_GUIDE_*``), only those in ``env`` are set.
    """
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("RNN_GUIDE_")}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "rnn_guide", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**inherited, "PYTHONPATH": str(ROOT), **env},
        timeout=120,
    )
    return done, time.perf_counter() - start


@pytest.mark.parametrize("line", COMMAND_LINES, ids=[c.id for c in COMMAND_LINES])
def test_a_command_line_size_fails_at_once(tmp_path, line):
    (tmp_path / "zero").mkdir()
    (tmp_path / "zero" / "timemachine.txt").symlink_to("/dev/zero")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in line.argv]
    env = {k: v.replace("{tmp}", str(tmp_path)) for k, v in line.env.items()}
    done, seconds = rnn_guide_command(argv, env)
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 2 and done.stdout == "", done
    assert re.search(line.match, last), last
    assert len(last) < 500 and "Traceback" not in done.stderr
    # The interpreter's start is most of it (under 0.5 s measured here): the size is refused by
    # the parser or after a stat, before any framework is imported, so nothing is trained.
    assert seconds < 10, seconds
