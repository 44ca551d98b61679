"""The help a terminal shows: plain text, one example a line, every default visible.

Each ``--help`` is rendered the way a user sees it (argparse prints it and exits),
at a fixed terminal width so that line wrapping is the same on every machine.
"""

import argparse
import re

import pytest

from rnn_guide._cli import main
from rnn_guide._cli_parser import build_parser

COMMANDS = ["check", "train", "generate", "notebooks", "bench"]


def render_help(capsys, monkeypatch, *command):
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    return capsys.readouterr().out


def subparser(name):
    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return sub.choices[name]


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=["main", *COMMANDS])
def test_help_is_plain_text_with_one_example_a_line(command, capsys, monkeypatch):
    text = render_help(capsys, monkeypatch, *command)
    assert "`" not in text  # no reStructuredText markup
    assert text.startswith(f"usage: rnn-guide {' '.join(command)}".rstrip())
    examples = text.split("\nexamples:\n", 1)[1].split("\n\n")[0].splitlines()
    assert len(examples) >= 2
    for line in examples:  # each example alone on its line, ready to copy
        assert line.startswith("  rnn-guide ") and line.count("rnn-guide") == 1, line
        if command:
            assert line.startswith(f"  rnn-guide {command[0]}"), line


def test_main_help_lists_each_command_on_one_line(capsys, monkeypatch):
    text = render_help(capsys, monkeypatch)
    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    summaries = {a.dest: a.help for a in sub._choices_actions}
    assert list(summaries) == COMMANDS
    for name, summary in summaries.items():
        (line,) = [ln for ln in text.splitlines() if ln.split()[:1] == [name]]
        assert line.split(None, 1)[1] == summary and len(line) <= 80, line


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_help_and_shows_its_default(command, capsys, monkeypatch):
    text = render_help(capsys, monkeypatch, command)
    flat = re.sub(r"\s+", " ", text)  # defaults may wrap onto the next line
    for action in subparser(command)._actions:
        if not action.option_strings or action.default == argparse.SUPPRESS:
            continue  # --help
        assert action.help, f"{command} {action.option_strings[0]} has no help text"
        if action.default not in (None, False):
            shown = "this one" if action.dest == "python" else action.default
            assert f"(default: {shown})" in flat, (command, action.option_strings[0])


def test_train_shows_the_books_settings(capsys, monkeypatch):
    flat = re.sub(r"\s+", " ", render_help(capsys, monkeypatch, "train"))
    for option, default in [
        ("--epochs N", "100"),
        ("--batch-size N", "1024"),
        ("--num-steps N", "32"),
        ("--hidden N", "32"),
        ("--lr X", "1.0"),
        ("--clip X", "1.0"),
        ("--seed N", "0"),
        ("--partition {random,sequential}", "random"),
    ]:
        # the option's own help text runs up to the next " --"
        pattern = re.escape(option) + r" (?:(?! --).)*\(default: " + re.escape(default) + r"\)"
        assert re.search(pattern, flat), option
    assert "ships inside the package: nothing is downloaded" in flat
    assert "RNN_GUIDE_DATA_DIR" in flat  # how to read another copy


def test_the_help_states_the_order_of_choice_and_the_limits(capsys, monkeypatch):
    flat = re.sub(r"\s+", " ", render_help(capsys, monkeypatch))
    assert "--framework, else $RNN_GUIDE_FRAMEWORK, else pytorch. (Here a flag wins over the variable" in flat
    flat = re.sub(r"\s+", " ", render_help(capsys, monkeypatch, "train"))
    assert (
        "given here, it wins over $RNN_GUIDE_FRAMEWORK (default: $RNN_GUIDE_FRAMEWORK, else 'pytorch')"
        in flat
    )
    for limit in ("--batch-size at most 65536", "--num-steps at most 10000", "--hidden at most 8192"):
        assert limit in flat
    assert "--text a regular file of at most 64.0 MiB" in flat and "memory at most 8.0 GiB" in flat
    assert "a folder, or a name ending in /, is refused" in flat
    flat = re.sub(r"\s+", " ", render_help(capsys, monkeypatch, "generate"))
    assert "--num-chars N characters to generate, at most 100000 (default: 50)" in flat
