"""The benchmark worker: its JSON on a tiny run, the built-in baselines, the A/B timer, `bench`.

The gated cells too: ``--cell gru``/``lstm`` runs and the GRU and LSTM baselines. The report built
from the JSON files is tested in test_bench_report.py.

No timing thresholds here: timings depend on the machine and its load.
"""

import json
import math

import numpy as np
import pytest

# benchmarks/ lives beside the package, not inside it: pytest's ``pythonpath`` (pyproject.toml) finds it
from benchmarks import run, step_time, tables
from benchmarks.builtin import NAMES, make_builtin
from benchmarks.measure import EpochClock
from rnn_guide._cli import main as cli_main
from rnn_guide.data import TimeMachine
from rnn_guide.language_model import RNNLM

TINY = ["--epochs", "2", "--batch-size", "64", "--num-steps", "8", "--hidden", "8"]
TINY += ["--num-train", "256", "--num-val", "128", "--import-repeats", "0"]
RUN_KEYS = {
    "epochs",
    "tokens_per_epoch",
    "tokens_per_second",
    "first_epoch_seconds",
    "total_seconds",
    "val_perplexity_10",
    "val_perplexity_final",
    "train_perplexity_final",
    "epoch_seconds",
    "epoch_wall_seconds",
    "val_perplexity",
    "peak_rss_mib",
}


def check_result(result, name):
    """Every key of a tiny run's result, for framework ``name``."""
    assert result["framework"] == name
    assert {"machine", "settings", "import_seconds", "import_seconds_median", "setup_cell_seconds"} <= set(
        result
    )
    assert {"peak_rss_mib", "load_average", "command", "date", "framework_version"} <= set(result)
    g = result["rnn_guide"]
    assert RUN_KEYS <= set(g) and g["epochs"] == 2 and len(g["epoch_wall_seconds"]) == 2
    assert g["tokens_per_epoch"] == 256 * 8  # every training window, num_steps tokens each
    assert g["val_perplexity_10"] is None and 1 < g["val_perplexity_final"] < 28
    if name == "numpy":
        assert result["builtin"] is None and result["ratio"] is None
    else:
        b = result["builtin"]
        assert RUN_KEYS | {"layer"} <= set(b) and 1 < b["val_perplexity_final"] < 28
        assert result["ratio"] > 0


def test_worker_writes_every_key(backend, tmp_path, capsys):
    assert run.main(["--framework", backend.name, "--out", str(tmp_path), *TINY]) == 0
    result = json.loads((tmp_path / f"{backend.name}.json").read_text())
    check_result(result, backend.name)
    assert result["settings"]["cell"] == "rnn" and result["settings"]["lr"] == 1.0
    rows = tables.comparison_table([result]).splitlines()
    assert len(rows) == 3 and rows[2].startswith(f"| {backend.name} {result['framework_version']} |")


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_worker_measures_a_gated_cell(framework, cell, tmp_path, capsys):
    assert run.main(["--framework", framework, "--cell", cell, "--out", str(tmp_path), *TINY]) == 0
    assert [f.name for f in tmp_path.iterdir()] == [f"{framework}-{cell}.json"]
    result = json.loads((tmp_path / f"{framework}-{cell}.json").read_text())
    check_result(result, framework)
    assert result["settings"]["cell"] == cell and result["settings"]["lr"] == 4.0  # the book's lr
    assert NAMES[cell] in result["builtin"]["layer"]
    rows = tables.gated_table([result]).splitlines()
    assert len(rows) == 3 and rows[2].startswith(f"| {framework} {result['framework_version']} | {cell} |")


def test_gated_cells_default_to_the_books_lr_and_epochs():
    def settings(*argv):
        args = run.parse_args(["--framework", "pytorch", *argv])
        return args.cell, args.lr, args.epochs

    assert settings() == ("rnn", 1.0, 100)
    assert settings("--cell", "gru") == ("gru", 4.0, 50)
    assert settings("--cell", "lstm", "--lr", "2", "--epochs", "7") == ("lstm", 2.0, 7)
    assert settings("--lr", "3") == ("rnn", 3.0, 100)


def test_result_file_names_combine_cell_and_mode():
    assert run.result_name("jax", "rnn", False) == "jax.json"
    assert run.result_name("jax", "gru", False) == "jax-gru.json"
    assert run.result_name("jax", "rnn", True) == "jax-keep-freed-memory.json"
    assert run.result_name("jax", "lstm", True) == "jax-lstm-keep-freed-memory.json"


def test_worker_rejects_an_unknown_cell(capsys):
    with pytest.raises(SystemExit):
        run.parse_args(["--framework", "numpy", "--cell", "conv"])
    err = capsys.readouterr().err
    assert "'conv'" in err and "'rnn', 'gru', 'lstm'" in err


def test_worker_refuses_a_gated_cell_in_numpy(capsys):
    """NumPy trains only the plain RNN (hand-written BPTT): said before anything runs."""
    with pytest.raises(SystemExit):
        run.parse_args(["--framework", "numpy", "--cell", "lstm"])
    err = capsys.readouterr().err
    assert "--cell lstm needs a framework with autograd" in err and "received --framework numpy" in err


def test_interleaved_rounds_give_a_median_ratio_and_its_spread(framework, tmp_path, capsys):
    assert run.main(["--framework", framework, "--out", str(tmp_path), "--rounds", "3", *TINY]) == 0
    result = json.loads((tmp_path / f"{framework}.json").read_text())
    ratios = sorted(r["rnn_guide"] / r["builtin"] for r in result["rounds"])
    assert (
        len(ratios) == 3 and result["ratio"] == ratios[1] and result["ratio_spread"] == [ratios[0], ratios[2]]
    )
    assert "3 rounds)" in tables.comparison_table([result])


def test_opt_in_mode_is_written_and_labelled_as_such(tmp_path, capsys):
    assert run.main(["--framework", "numpy", "--out", str(tmp_path), "--keep-freed-memory", *TINY]) == 0
    result = json.loads((tmp_path / "numpy-keep-freed-memory.json").read_text())
    assert result["mode"] == "keep-freed-memory"
    assert "(keep-freed-memory)" in tables.comparison_table([result])


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_builtin_matches_rnn_guide_at_the_start(framework, cell):
    """Same weights and data: the built-in layer's first loss is rnn_guide's (the book's model).

    The LSTM is the same function in every framework and in rnn_guide; the GRU is not (below).
    """
    data = TimeMachine(batch_size=32, num_steps=8, num_train=64, num_val=32)
    X, Y = next(data.val_batches())
    baseline = make_builtin(framework, len(data.vocab), 16, lr=1.0, clip=1.0, seed=3, cell=cell)
    model = RNNLM(data.vocab, 16, "numpy", seed=3, cell=cell)
    assert baseline.to_float(baseline.eval_loss(X, Y)) == pytest.approx(model.loss(X, Y), rel=1e-5)
    first = baseline.to_float(baseline.train_step(X, Y))
    assert first == pytest.approx(model.loss(X, Y), rel=1e-5)
    assert baseline.to_float(baseline.eval_loss(X, Y)) < first  # the step trained


def test_builtin_gru_starts_near_rnn_guide_and_trains(framework):
    """The frameworks' GRU puts the reset gate after the hidden matmul (d2l's before it): with the
    initial weights (std 0.01) both are nearly uniform, so the losses agree to 1e-3, near log(V)."""
    data = TimeMachine(batch_size=32, num_steps=8, num_train=64, num_val=32)
    X, Y = next(data.val_batches())
    V = len(data.vocab)
    baseline = make_builtin(framework, V, 16, lr=1.0, clip=1.0, seed=3, cell="gru")
    assert "reset gate after the hidden matmul" in baseline.layer
    start = baseline.to_float(baseline.eval_loss(X, Y))
    assert math.isfinite(start) and abs(start - math.log(V)) < 0.01
    assert start == pytest.approx(RNNLM(data.vocab, 16, "numpy", seed=3, cell="gru").loss(X, Y), abs=1e-3)
    first = baseline.to_float(baseline.train_step(X, Y))
    assert math.isfinite(first) and first == pytest.approx(start, rel=1e-5)
    after = baseline.to_float(baseline.eval_loss(X, Y))
    assert math.isfinite(after) and after < first  # the step changed the parameters


def test_make_builtin_rejects_numpy():
    with pytest.raises(ValueError, match="no built-in baseline for 'numpy'"):
        make_builtin("numpy", 28, 8, 1.0, 1.0)


def test_make_builtin_rejects_an_unknown_cell():
    with pytest.raises(ValueError, match=r"cell 'conv'; expected one of \['rnn', 'gru', 'lstm'\]"):
        make_builtin("pytorch", 28, 8, 1.0, 1.0, cell="conv")


def test_bench_command_runs_a_worker_and_writes_the_report(tmp_path):
    assert cli_main(["bench", "-f", "numpy", "--epochs", "1", "--no-builtin", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "numpy.json").read_text())
    assert result["settings"]["epochs"] == 1 and result["settings"]["batch_size"] == 1024
    assert "| numpy " in (tmp_path / "README.md").read_text()


def test_bench_command_passes_the_cell_and_the_books_gated_settings(framework, tmp_path):
    args = ["bench", "-f", framework, "--cell", "lstm", "--epochs", "1", "--no-builtin"]
    assert cli_main([*args, "--out", str(tmp_path)]) == 0
    settings = json.loads((tmp_path / f"{framework}-lstm.json").read_text())["settings"]
    assert (settings["cell"], settings["lr"], settings["epochs"]) == ("lstm", 4.0, 1)


def test_epoch_clock_marks_each_epoch():
    data = TimeMachine(batch_size=64, num_steps=4, num_train=128, num_val=64)
    clock = EpochClock(data)
    for _ in range(3):
        list(clock.train_batches(np.random.default_rng(0)))
    assert len(clock.starts) == 3 and clock.starts == sorted(clock.starts)
    assert len(list(clock.val_batches())) == 1


def test_step_time_runs_and_every_framework_ends_at_the_same_loss(framework, capsys):
    """`benchmarks.step_time` (the A/B timer): same batches and weights, so the same last loss."""
    small = ["--passes", "2", "--batch-size", "16", "--num-steps", "4", "--hidden", "8"]
    expected = step_time.main(["numpy", *small])
    got = step_time.main([framework, *small])
    assert np.isfinite(got)
    assert got == pytest.approx(expected, rel=1e-4)
    assert f"{framework} rnn: ms per step, wall fastest" in capsys.readouterr().out


def test_step_time_times_a_gated_cell(framework, capsys):
    small = ["--passes", "2", "--batch-size", "16", "--num-steps", "4", "--hidden", "8", "--cell", "lstm"]
    assert np.isfinite(step_time.main([framework, *small]))
    assert f"{framework} lstm: ms per step" in capsys.readouterr().out


def test_step_time_rejects_non_positive_sizes(capsys):
    with pytest.raises(SystemExit):
        step_time.main(["numpy", "--passes", "0"])
    assert "--passes must be a positive integer, received 0" in capsys.readouterr().err


def test_worker_refuses_an_unknown_framework_in_one_line(capsys):
    with pytest.raises(SystemExit):
        run.parse_args(["--framework", "bogus"])
    err = capsys.readouterr().err
    assert "--framework: unknown framework 'bogus'" in err and "Traceback" not in err


def test_worker_takes_an_alias():
    assert run.parse_args(["--framework", "torch"]).framework == "pytorch"
