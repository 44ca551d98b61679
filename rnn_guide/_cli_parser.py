"""The parser of the rnn-guide command line, with help written for a terminal.

Plain text, one example a line, and every option's default shown (see ``_HelpFormatter``).
The commands themselves are in ``rnn_guide._cli``.
"""

import argparse
import sys

from . import __version__, _validation, limits
from ._config import DEFAULT_FRAMEWORK, FRAMEWORKS
from .errors import RNNGuideError


def _framework_arg(parser):
    parser.add_argument(
        "--framework",
        "-f",
        default=None,
        metavar="NAME",
        help=f"one of {', '.join(FRAMEWORKS)}; given here, it wins over $RNN_GUIDE_FRAMEWORK "
        f"(default: $RNN_GUIDE_FRAMEWORK, else {DEFAULT_FRAMEWORK!r})",
    )


#: the largest --lr and --clip accepted: far above any useful value, and a float32 in every framework
MAX_RATE = 1e6


def _checked(kind, check):
    """An argparse type: ``kind(text)``, then one of ``rnn_guide._validation``'s checks, so the
    command line and the library accept the same values (its message, without the "where")."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            what = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"expected {what}, received {text!r}") from None
        try:
            return check(value)
        except RNNGuideError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    parse.__name__ = kind.__name__
    return parse


def _rate(value):
    value = _validation.positive_number(value, "the value")
    if value > MAX_RATE:
        raise RNNGuideError(f"the value must be at most {MAX_RATE:g}, received {value!r}")
    return value


_count = _checked(int, lambda v: _validation.positive_int(v, "the value"))


def _sized(limit_check, low=1):
    """An argparse type: an int >= ``low`` that ``limit_check`` (from :mod:`rnn_guide.limits`) accepts."""
    at_least = _validation.positive_int if low else _validation.non_negative_int
    return _checked(int, lambda v: limit_check(at_least(v, "the value"), name="the value"))


_num_chars = _sized(limits.check_num_chars, low=0)
_batch_size = _sized(limits.check_batch_size)
_num_steps = _sized(limits.check_num_steps)
_num_hiddens = _sized(limits.check_num_hiddens)
_num_layers = _sized(limits.check_num_layers)
_rate_arg = _checked(float, _rate)
_seed = _checked(int, lambda v: _validation.seed(v, name="the value"))
_temperature = _checked(float, lambda v: _validation.temperature(v, name="the value"))


DESCRIPTION = f"""\
Recurrent neural networks from scratch, as in the RNN chapter of Dive into Deep
Learning, on PyTorch, TensorFlow, JAX, MXNet and NumPy. Each command runs on one
framework: --framework, else $RNN_GUIDE_FRAMEWORK, else {DEFAULT_FRAMEWORK}. (Here a flag wins
over the variable; in a notebook, the variable wins over rnn_guide.use's argument.)"""

EXAMPLES = """\
examples:
  rnn-guide check --all
  rnn-guide train
  rnn-guide train --framework jax --save model.safetensors
  rnn-guide generate --checkpoint model.safetensors --prefix "time traveller" --num-chars 50
  rnn-guide notebooks nb
  rnn-guide bench --framework jax

"rnn-guide COMMAND --help" shows a command's options and their defaults."""

DATA_NOTE = """\
The Time Machine ships inside the package: nothing is downloaded. To read another
copy instead, set RNN_GUIDE_DATA_DIR to a folder holding timemachine.txt (checked
against d2l's sha1)."""


_TEXT, _MEMORY = limits.size_text(limits.MAX_TEXT_BYTES), limits.size_text(limits.MAX_MEMORY_BYTES)
LIMITS_NOTE = f"""

Sizes are bounded (rnn_guide.limits), so that a typo fails at once instead of
exhausting memory: --batch-size at most {limits.MAX_BATCH_SIZE}, --num-steps at most {limits.MAX_NUM_STEPS},
--hidden at most {limits.MAX_NUM_HIDDENS}, --layers at most {limits.MAX_NUM_LAYERS}, --text a regular file
of at most {_TEXT}, and the run's estimated memory at most {_MEMORY}, checked before the framework loads."""


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Descriptions and examples kept line by line, and each option's default after its help."""

    def _get_help_string(self, action):
        # A default of None or False means "off" or "see the help": "(default: None)" says nothing.
        # A help text that states its default in words keeps its own wording.
        if action.default is None or action.default is False or "(default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)

    def add_argument(self, action):
        super().add_argument(action)
        # argparse measures the command names one indent short of where it prints them, so the
        # longest ("notebooks") would push its summary onto a line of its own.
        if isinstance(action, argparse._SubParsersAction):
            longest = max(map(len, action.choices))
            indent = self._current_indent + self._indent_increment
            self._action_max_length = max(self._action_max_length, indent + longest)


def _command(sub, name, summary, description, examples):
    return sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog="examples:\n" + "\n".join(f"  rnn-guide {name} {e}".rstrip() for e in examples),
        formatter_class=_HelpFormatter,
    )


def build_parser():
    parser = argparse.ArgumentParser(
        prog="rnn-guide", description=DESCRIPTION, epilog=EXAMPLES, formatter_class=_HelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"rnn_guide {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, title="commands", metavar="COMMAND")

    check = _command(
        sub,
        "check",
        "run the guide's first steps on one framework",
        "Run the guide's first steps on one framework (the concatenation check and a\n"
        "forward pass over five steps) and report the framework and its device.",
        ["", "--framework numpy --all"],
    )
    _framework_arg(check)
    check.add_argument("--all", action="store_true", help="also list every framework that imports here")

    tr = _command(
        sub,
        "train",
        "train the character model on The Time Machine",
        "Train the character-level language model on The Time Machine and report its\n"
        "perplexity and a greedy sample. The defaults are the book's settings.\n\n" + DATA_NOTE + LIMITS_NOTE,
        [
            "",
            "--framework jax --save model.safetensors --json",
            "--cell gru --layers 2 --lr 2",
            "--bidirectional",
        ],
    )
    _framework_arg(tr)
    tr.add_argument("--epochs", type=_count, default=100, metavar="N", help="passes over the data")
    tr.add_argument("--batch-size", type=_batch_size, default=1024, metavar="N", help="windows per minibatch")
    tr.add_argument("--num-steps", type=_num_steps, default=32, metavar="N", help="time steps per window")
    tr.add_argument("--hidden", type=_num_hiddens, default=32, metavar="N", help="number of hidden units")
    tr.add_argument(
        "--cell",
        choices=("rnn", "gru", "lstm"),
        default="rnn",
        help="the recurrent cell: the guide's tanh RNN, a GRU or an LSTM (NumPy trains only rnn)",
    )
    tr.add_argument("--layers", type=_num_layers, default=1, metavar="N", help="stacked layers of the cell")
    tr.add_argument("--bidirectional", action="store_true", help="each layer reads both ways; no sample")
    most = f", at most {MAX_RATE:g}"
    tr.add_argument("--lr", type=_rate_arg, default=1.0, metavar="X", help="SGD learning rate" + most)
    tr.add_argument(
        "--clip", type=_rate_arg, default=1.0, metavar="X", help="gradient-clipping threshold" + most
    )
    tr.add_argument("--no-clip", dest="clip", action="store_const", const=None, help="train without clipping")
    tr.add_argument("--seed", type=_seed, default=0, metavar="N", help="seed of the parameters and batches")
    tr.add_argument(
        "--partition",
        choices=("random", "sequential"),
        default="random",
        help="random windows, or sequential batches with truncated BPTT",
    )
    tr.add_argument(
        "--text", default=None, metavar="PATH", help="train on this text file instead of The Time Machine"
    )
    tr.add_argument(
        "--save",
        default=None,
        metavar="PATH",
        help="save the model to this file (safetensors; the name is used as given, and a folder, or a "
        "name ending in /, is refused), checked before training",
    )
    tr.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    tr.add_argument("--no-progress", action="store_true", help="no progress bar")

    gen = _command(
        sub,
        "generate",
        "continue a prefix with a trained checkpoint",
        "Continue a prefix with a checkpoint written by train --save, in any framework.\n"
        "Greedy by default; --temperature samples, repeatably for one --seed.",
        [
            "--checkpoint model.safetensors",
            "--checkpoint model.safetensors --framework numpy --temperature 0.8",
        ],
    )
    _framework_arg(gen)
    gen.add_argument(
        "--checkpoint", required=True, metavar="PATH", help="a safetensors file written by train --save"
    )
    gen.add_argument("--prefix", default="time traveller", metavar="TEXT", help="the text to continue")
    chars = f"characters to generate, at most {limits.MAX_NUM_CHARS}"
    gen.add_argument("--num-chars", type=_num_chars, default=50, metavar="N", help=chars)
    gen.add_argument(
        "--temperature",
        type=_temperature,
        default=None,
        metavar="X",
        help=f"sample with this temperature, at least {_validation.MIN_TEMPERATURE:g} (default: greedy)",
    )
    gen.add_argument("--seed", type=_seed, default=0, metavar="N", help="seed of the sampling")
    gen.add_argument("--json", action="store_true", help="print one JSON object")

    nb = _command(
        sub,
        "notebooks",
        "write the guide's notebooks into a folder, to open in Jupyter",
        "Write the guide's notebooks (the instructor's, answers in) into DIR, created if\n"
        "needed; --student writes the student editions instead. Notebooks of the same\n"
        "names already in DIR are kept unless --force.",
        ["nb", "nb --student", "nb --force"],
    )
    nb.add_argument("dir", metavar="DIR", help="the folder to write the notebooks into")
    nb.add_argument("--student", action="store_true", help="the student editions, answers left out")
    nb.add_argument("--force", action="store_true", help="overwrite notebooks of the same names in DIR")

    bench = _command(
        sub,
        "bench",
        "time training against the built-in RNN, GRU or LSTM layer",
        "Time rnn_guide's training against the framework's built-in layer, one\n"
        "process per framework, then write a report. Needs a source checkout:\n"
        "benchmarks/ is not installed with the package. The workers run in the\n"
        "checkout (beside the package, else the current folder) and time its code.",
        ["--framework jax", "--framework pytorch,tensorflow,jax --epochs 10", "--framework jax --cell lstm"],
    )
    bench.add_argument(
        "--framework",
        "-f",
        default=None,
        metavar="NAMES",
        help="a framework or a comma-separated list, one process each "
        f"(default: $RNN_GUIDE_FRAMEWORK or {DEFAULT_FRAMEWORK!r})",
    )
    bench.add_argument(
        "--cell",
        choices=("rnn", "gru", "lstm"),
        default="rnn",
        help="the cell, against the framework's built-in layer of the same kind",
    )
    bench.add_argument(
        "--epochs",
        type=_count,
        default=None,
        metavar="N",
        help="epochs of each run (default: the book's, 100 for rnn and 50 for gru and lstm)",
    )
    bench.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="folder for the JSON files and README.md (default: benchmarks/results)",
    )
    bench.add_argument(
        "--python",
        default=sys.executable,
        metavar="PATH",
        help="interpreter for the workers, e.g. MXNet's own venv (default: this one)",
    )
    bench.add_argument("--no-builtin", action="store_true", help="skip the built-in layer")
    return parser
