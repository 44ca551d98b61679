"""The command line: train, generate, check, and argument errors."""

import json

import pytest

from rnn_guide.cli import main


def last_json(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_train_then_generate_in_another_framework(backend, tmp_path, capsys):
    ckpt = tmp_path / "model.npz"
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
    ckpt = tmp_path / "m.npz"
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
        (["train", "--lr", "0"], "argument --lr: expected a number > 0, received '0'"),
        (["train", "--epochs", "0"], "argument --epochs: expected a number > 0, received '0'"),
        (["train", "--hidden", "-3"], "argument --hidden: expected a number > 0, received '-3'"),
        (["train", "--batch-size", "x"], "argument --batch-size: expected an integer, received 'x'"),
        (["train", "--partition", "shuffled"], "argument --partition: invalid choice"),
        (
            ["generate", "--checkpoint", "m.npz", "--num-chars", "-1"],
            "expected an integer >= 0, received '-1'",
        ),
    ],
)
def test_out_of_range_arguments_are_rejected(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_errors_are_one_line(tmp_path, capsys):
    assert main(["generate", "--checkpoint", str(tmp_path / "none.npz"), "-f", "numpy"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("rnn-guide: error: no checkpoint at") and "\n" not in err
    assert main(["check", "-f", "caffe"]) == 2
    assert "unknown framework 'caffe'" in capsys.readouterr().err


def test_check(backend, capsys):
    assert main(["check", "-f", backend.name]) == 0
    out = capsys.readouterr().out
    assert f"framework {backend.name!r}" in out and "ConcatCheck(passed=True" in out
