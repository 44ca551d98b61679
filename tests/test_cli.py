"""The command line: train, generate, check, argument errors, --save checks and Ctrl-C."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import rnn_guide.training
from rnn_guide import RNNLM
from rnn_guide._cli import main

TINY = ["--epochs", "1", "--hidden", "8", "--no-progress"]


def last_json(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_train_then_generate_in_another_framework(backend, tmp_path, capsys):
    ckpt = tmp_path / "model.safetensors"
    args = [
        "train",
        "-f",
        backend.name,
        "--epochs",
        "1",
        "--hidden",
        "16",
        "--save",
        str(ckpt),
        "--json",
        "--no-progress",
    ]
    assert main(args) == 0
    result = last_json(capsys)
    assert result["framework"] == backend.name and result["epochs"] == 1
    assert set(result) >= {"train_perplexity", "val_perplexity", "seconds", "tokens_per_second", "sample"}
    assert result["val_perplexity"] < 28
    assert ckpt.exists()
    assert main(["generate", "--checkpoint", str(ckpt), "-f", "numpy", "--num-chars", "50", "--json"]) == 0
    generated = last_json(capsys)
    assert generated["text"] == result["sample"]  # same text from a checkpoint in another backend


def test_generate_sampling_is_seeded(tmp_path, capsys):
    ckpt = tmp_path / "m.safetensors"
    main(["train", "-f", "numpy", "--epochs", "1", "--hidden", "8", "--save", str(ckpt), "--no-progress"])
    capsys.readouterr()
    runs = []
    for seed in ("1", "1", "2"):
        main(["generate", "--checkpoint", str(ckpt), "-f", "numpy", "--temperature", "1.5", "--seed", seed])
        runs.append(capsys.readouterr().out)
    assert runs[0] == runs[1] != runs[2]


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--lr", "0"], "argument --lr: the value must be a positive finite number, received 0.0"),
        (["train", "--epochs", "0"], "argument --epochs: the value must be a positive integer, received 0"),
        (["train", "--hidden", "-3"], "argument --hidden: the value must be a positive integer, received -3"),
        (["train", "--batch-size", "x"], "argument --batch-size: expected an integer, received 'x'"),
        (["train", "--partition", "shuffled"], "argument --partition: invalid choice"),
        (
            ["generate", "--checkpoint", "m.safetensors", "--num-chars", "-1"],
            "argument --num-chars: the value must be a non-negative integer, received -1",
        ),
    ],
)
def test_out_of_range_arguments_are_rejected(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_errors_are_one_line(tmp_path, capsys):
    assert main(["generate", "--checkpoint", str(tmp_path / "none.safetensors"), "-f", "numpy"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("rnn-guide: error: no checkpoint at") and "\n" not in err
    assert main(["check", "-f", "caffe"]) == 2
    assert "unknown framework 'caffe'" in capsys.readouterr().err


def test_check(backend, capsys):
    assert main(["check", "-f", backend.name]) == 0
    out = capsys.readouterr().out
    assert f"framework {backend.name!r}" in out and "ConcatCheck(passed=True" in out


def never_train(*args, **kwargs):
    pytest.fail("training started")


def test_a_bad_save_path_fails_before_training(backend, monkeypatch, capsys):
    monkeypatch.setattr(rnn_guide.training, "train", never_train)
    start = time.perf_counter()
    assert main(["train", "-f", backend.name, "--save", "/nonexistent/x.safetensors"]) == 2
    assert time.perf_counter() - start < 5
    err = capsys.readouterr().err
    expected = "cannot save to /nonexistent/x.safetensors: the folder /nonexistent does not exist"
    assert err == f"rnn-guide: error: {expected}\n"


def test_a_bad_save_path_fails_at_once_from_a_shell():
    root = Path(__file__).resolve().parents[1]
    command = [sys.executable, "-m", "rnn_guide", "train", "--save", "/nonexistent/x.safetensors"]
    start = time.perf_counter()
    out = subprocess.run(
        command, capture_output=True, text=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)}
    )
    assert time.perf_counter() - start < 5  # interpreter start included; no data read, no training
    assert out.returncode == 2 and "/nonexistent does not exist" in out.stderr


def test_the_metrics_are_kept_when_saving_fails_after_training(backend, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "gone"
    folder.mkdir()
    real_train = rnn_guide.training.train

    def train_then_lose_the_folder(*args, **kwargs):
        history = real_train(*args, **kwargs)
        folder.rmdir()  # the folder disappears while training runs
        return history

    monkeypatch.setattr(rnn_guide.training, "train", train_then_lose_the_folder)
    path = folder / "m.safetensors"
    assert main(["train", "-f", backend.name, *TINY, "--save", str(path), "--json"]) == 1
    out, err = capsys.readouterr()
    result = json.loads(out.strip().splitlines()[-1])
    assert result["epochs"] == 1 and result["val_perplexity"] > 1 and "checkpoint" not in result
    assert f"cannot save to {path}" in result["checkpoint_error"]
    assert err.strip().splitlines()[-1] == (
        f"rnn-guide: error: the model was trained but not saved: cannot save to {path}: "
        f"the folder {folder} does not exist"
    )


def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("save", [False, True])
def test_ctrl_c_during_training_is_one_line_and_code_130(tmp_path, monkeypatch, capsys, save):
    monkeypatch.setattr(rnn_guide.training, "train", interrupt)
    path = tmp_path / "m.safetensors"
    assert main(["train", "-f", "numpy", *TINY, *(["--save", str(path)] if save else [])]) == 130
    note = f"; nothing was saved to {path}" if save else ""
    assert capsys.readouterr().err == f"rnn-guide: interrupted{note}\n"
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_saving_keeps_the_metrics(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(RNNLM, "save", interrupt)
    path = tmp_path / "m.safetensors"
    assert main(["train", "-f", "numpy", *TINY, "--save", str(path), "--json"]) == 130
    out, err = capsys.readouterr()
    assert json.loads(out.strip().splitlines()[-1])["checkpoint_error"] == "interrupted"
    assert err == f"rnn-guide: interrupted; nothing was saved to {path}\n"


def test_ctrl_c_during_generation_is_one_line_and_code_130(backend, tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.safetensors"
    assert main(["train", "-f", "numpy", *TINY, "--save", str(path)]) == 0
    capsys.readouterr()
    monkeypatch.setattr(RNNLM, "predict", interrupt)
    assert main(["generate", "--checkpoint", str(path), "-f", backend.name]) == 130
    assert capsys.readouterr() == ("", "rnn-guide: interrupted\n")


@pytest.mark.skipif(os.name != "posix", reason="SIGINT as a terminal sends it")
def test_a_real_ctrl_c_ends_training_with_one_last_line(tmp_path):
    import signal

    root, path = Path(__file__).resolve().parents[1], tmp_path / "m.safetensors"
    command = [sys.executable, "-m", "rnn_guide", "train", "-f", "numpy", "--save", str(path)]
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=root, env=env)
    seen = b""
    while b"training (numpy)" not in seen:  # the progress bar: training has started
        chunk = os.read(proc.stderr.fileno(), 256)
        assert chunk, seen
        seen += chunk
    time.sleep(1)  # a moment into training, as a person would press it
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert (seen + err).decode().endswith(f"\nrnn-guide: interrupted; nothing was saved to {path}\n")
    assert list(tmp_path.iterdir()) == []


def test_the_flag_wins_over_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("RNN_GUIDE_FRAMEWORK", "caffe")  # not even a framework: the flag is enough
    assert main(["check", "-f", "numpy"]) == 0
    out, err = capsys.readouterr()
    assert "framework 'numpy'" in out and err == ""
    monkeypatch.setenv("RNN_GUIDE_FRAMEWORK", "numpy")  # without the flag, the variable chooses
    assert main(["check"]) == 0
    assert "framework 'numpy'" in capsys.readouterr().out


def test_the_memory_of_a_run_is_checked_before_the_framework_loads(monkeypatch, capsys):
    import rnn_guide._cli

    monkeypatch.setattr(rnn_guide._cli, "framework_of", lambda args: pytest.fail("the framework was loaded"))
    assert main(["train", "--batch-size", "65536", "--num-steps", "10000"]) == 2
    assert "needs about 459.0 GiB, more than the limit of 8.0 GiB" in capsys.readouterr().err


# A module that raises KeyboardInterrupt when it is imported, as Ctrl-C does while imports run.
CTRL_C_WHILE_IMPORTING = """
import sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == sys.argv[1]:
            raise KeyboardInterrupt

sys.meta_path.insert(0, CtrlC())
from rnn_guide._cli import main  # what the rnn-guide script does
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize(
    "module, argv",
    [("rnn_guide._cli_parser", ["check"]), ("torch", ["check", "-f", "pytorch"])],
    ids=["the parser", "the framework"],
)
def test_ctrl_c_while_the_command_line_imports_is_one_line(module, argv):
    root = Path(__file__).resolve().parents[1]
    command = [sys.executable, "-c", CTRL_C_WHILE_IMPORTING, module, *argv]
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)}
    )
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "rnn-guide: interrupted\n")


@pytest.mark.skipif(os.name != "posix", reason="a process sends itself SIGINT as a terminal does")
def test_ctrl_c_during_the_framework_import_waits_for_its_end(monkeypatch, capsys):
    import signal

    import rnn_guide.backends

    finished = []

    def import_that_must_not_be_cut(name):  # PyTorch's C++ start-up aborts the process when cut
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # a Python handler runs between two bytecodes: it has run by now
        finished.append(name)
        return rnn_guide.backends._backend("numpy")

    monkeypatch.setattr(rnn_guide.backends, "get_backend", import_that_must_not_be_cut)
    before = signal.getsignal(signal.SIGINT)
    assert main(["check", "-f", "numpy"]) == 130
    assert finished == ["numpy"] and capsys.readouterr() == ("", "rnn-guide: interrupted\n")
    assert signal.getsignal(signal.SIGINT) is before  # handed back


def test_train_a_deep_model_then_generate_from_numpy(framework, tmp_path, capsys):
    ckpt = tmp_path / "deep.safetensors"
    args = ["train", "-f", framework, *TINY, "--cell", "gru", "--layers", "2", "--save", str(ckpt), "--json"]
    assert main(args) == 0
    result = last_json(capsys)
    assert (result["cell"], result["num_layers"], result["bidirectional"]) == ("gru", 2, False)
    assert RNNLM.load(ckpt, "numpy").num_layers == 2
    assert main(["generate", "--checkpoint", str(ckpt), "-f", "numpy", "--num-chars", "50", "--json"]) == 0
    assert last_json(capsys)["text"] == result["sample"]  # the deep model, read back in NumPy


def test_a_bidirectional_model_trains_but_writes_no_sample(framework, tmp_path, capsys):
    ckpt = tmp_path / "both.safetensors"
    assert main(["train", "-f", framework, *TINY, "--bidirectional", "--save", str(ckpt), "--json"]) == 0
    result = last_json(capsys)
    assert result["bidirectional"] is True and "sample" not in result
    assert result["val_perplexity"] < 28
    assert RNNLM.load(ckpt, "numpy").bidirectional


@pytest.mark.parametrize("layers", ["0", "65", "two"])
def test_layers_out_of_range_is_one_line(layers, capsys):
    with pytest.raises(SystemExit) as exit:  # argparse's own exit, code 2
        main(["train", "-f", "numpy", *TINY, "--layers", layers])
    assert exit.value.code == 2
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--layers" in message and message.endswith((f"received {layers}", f"received {layers!r}"))
