"""Two findings of the hostile-input review: an empty batch, and `bench` with an unknown framework.

An empty batch (0 rows) is not an error: every backend returns an empty result of the shape NumPy
gives, and the framework keeps working afterwards, in the same process and when it exits. MXNet's
MKL-DNN operators used to break its engine on an empty array ("Check failed: delay_alloc" at the
next operator and at exit); the adapter now sends empty arrays to mxnet.np's own operators.

``rnn-guide bench`` checks its framework names (and the cell against them) before any worker
starts, so a typo is one line on stderr, not a worker's traceback followed by the error.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hostile import Ctx, raises_as_the_row_says, row

import rnn_guide
from rnn_guide._cli import cmd_bench
from rnn_guide._cli_parser import build_parser
from rnn_guide._gated_params import init_gru_params, init_lstm_params


def _zeros(c, *shape):
    return c.d2l.zeros(shape)


# (id, call(ctx) -> a tensor with an empty batch, the shape NumPy gives)
EMPTY_BATCH = [
    ("rnn_step", lambda c: rnn_guide.rnn_step(_zeros(c, 0, 3), _zeros(c, 0, 4), *c.p[:3]), (0, 4)),
    ("rnn_forward", lambda c: rnn_guide.rnn_forward(_zeros(c, 2, 0, 3), None, *c.p[:3])[0], (2, 0, 4)),
    ("mlp_hidden", lambda c: rnn_guide.mlp_hidden(_zeros(c, 0, 3), c.p.W_xh, c.p.b_h), (0, 4)),
    ("output_layer", lambda c: rnn_guide.output_layer(_zeros(c, 0, 4), c.p.W_hq, c.p.b_q), (0, 3)),
    (
        "gru_step",
        lambda c: rnn_guide.gru_step(_zeros(c, 0, 3), _zeros(c, 0, 4), init_gru_params(3, 4, 3, c.d2l)),
        (0, 4),
    ),
    (
        "lstm_step",
        lambda c: rnn_guide.lstm_step(
            _zeros(c, 0, 3), (_zeros(c, 0, 4), _zeros(c, 0, 4)), init_lstm_params(3, 4, 3, c.d2l)
        )[0],
        (0, 4),
    ),
    ("d2l.sigmoid", lambda c: c.d2l.sigmoid(_zeros(c, 0, 4)), (0, 4)),
    ("d2l.matmul", lambda c: c.d2l.matmul(_zeros(c, 0, 3), c.p.W_xh), (0, 4)),
]


@pytest.mark.parametrize("call, shape", [r[1:] for r in EMPTY_BATCH], ids=[r[0] for r in EMPTY_BATCH])
def test_an_empty_batch_gives_an_empty_result_and_the_next_op_works(backend, tmp_path, call, shape):
    c = Ctx(backend, tmp_path)
    assert np.asarray(backend.numpy(call(c))).shape == shape
    H = rnn_guide.rnn_step(backend.ones((2, 3)), backend.zeros((2, 4)), *c.p[:3])
    assert backend.numpy(H).shape == (2, 4) and np.isfinite(backend.numpy(H)).all()


def test_an_empty_batch_leaves_the_framework_working_until_it_exits(backend, tmp_path):
    """The exit hook too: MXNet's broken engine used to print its traceback at interpreter exit."""
    script = textwrap.dedent(
        f"""
        import rnn_guide
        d2l = rnn_guide.use({backend.name!r})
        p = rnn_guide.init_params(3, 4, 3, d2l)
        empty = rnn_guide.rnn_step(d2l.zeros((0, 3)), d2l.zeros((0, 4)), *p[:3])
        H = rnn_guide.rnn_step(d2l.ones((2, 3)), d2l.zeros((2, 4)), *p[:3])
        print(d2l.numpy(empty).shape, d2l.numpy(H).shape)
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "RNN_GUIDE_FRAMEWORK"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "(0, 4) (2, 4)"
    assert "Traceback" not in done.stderr and "delay_alloc" not in done.stderr, done.stderr


def _bench(*argv):
    return lambda tmp: cmd_bench(build_parser().parse_args(["bench", *argv]))


BENCH_ROWS = [
    row("bench -f bogus", _bench("-f", "bogus"), r"^bench: unknown framework 'bogus': expected one of"),
    row("bench -f jax,bogus", _bench("-f", "jax,bogus"), r"unknown framework 'bogus'"),
    row("bench -f ,", _bench("-f", ","), r"--framework must name a framework, received ','"),
    row(
        "bench numpy --cell gru",
        _bench("-f", "numpy", "--cell", "gru"),
        r"--cell gru needs a framework with autograd.*received --framework numpy",
    ),
]


@pytest.mark.parametrize("row", BENCH_ROWS, ids=[r.id for r in BENCH_ROWS])
def test_bench_refuses_a_bad_framework_before_any_worker_starts(row, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not a checkout: the names are checked before the checkout is looked for
    raises_as_the_row_says(row, lambda: row.call(tmp_path))


def test_bench_refuses_a_bad_framework_in_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_GUIDE_FRAMEWORK", "bogus")
    env_row = row("bench $RNN_GUIDE_FRAMEWORK", _bench(), r"^bench: RNN_GUIDE_FRAMEWORK='bogus' is invalid")
    raises_as_the_row_says(env_row, lambda: env_row.call(tmp_path))


def test_bench_with_an_unknown_framework_is_one_line_on_stderr(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "RNN_GUIDE_FRAMEWORK"}
    done = subprocess.run(
        [sys.executable, "-m", "rnn_guide", "bench", "-f", "bogus"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert done.returncode != 0 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "'bogus'" in lines[0], done.stderr
    assert lines[0].startswith("rnn-guide: error: ") and "Traceback" not in done.stderr
