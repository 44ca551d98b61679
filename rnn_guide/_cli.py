"""The command line, rnn-guide (also python -m rnn_guide): check, train, generate, notebooks, bench.

The commands are here; the parser and its help texts are in ``rnn_guide._cli_parser``.
Exit codes: 0 done; 1 trained but the checkpoint could not be written (the metrics are
printed first); 2 a bad argument or input (one line on stderr); 130 interrupted (Ctrl-C).
"""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from importlib import resources
from pathlib import Path

from ._config import command_line_framework
from .errors import FrameworkNotInstalledError, RNNGuideError


def framework_of(args):
    """The seeded backend of a command: ``--framework``, else ``$RNN_GUIDE_FRAMEWORK``, else the default
    (``rnn_guide._config.command_line_framework``). Ctrl-C during the framework's import is held to
    its end, then raised: PyTorch's C++ start-up, cut in the middle, aborts the process (pybind11)."""
    from .backends import get_backend
    from .backends.seeding import DEFAULT_SEED

    name, pressed = command_line_framework(args.framework), []
    hold = threading.current_thread() is threading.main_thread()  # only it may set a signal handler
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum)) if hold else None
    try:
        backend = get_backend(name)
    finally:
        if hold:
            signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
    if pressed:
        raise KeyboardInterrupt
    backend.seed(DEFAULT_SEED)
    return backend


def cmd_check(args):
    """Run the guide's first steps on one framework and report what works."""
    import numpy as np

    from . import __version__
    from .backends import available_frameworks
    from .recurrence import concat_check, init_params, rnn_forward

    d2l = framework_of(args)
    print(f"rnn_guide {__version__}: framework {d2l.name!r} on {d2l.device}")
    X, W_xh = d2l.randn(3, 1), d2l.randn(1, 4)
    H, W_hh = d2l.randn(3, 4), d2l.randn(4, 4)
    print(f"concatenation check: {concat_check(X, H, W_xh, W_hh)}")
    params = init_params(28, 32, 28, d2l, seed=0, sigma=0.5)
    X_seq = np.random.default_rng(0).normal(size=(5, 2, 28)).astype(np.float32)
    H_all, _ = rnn_forward(d2l.tensor(X_seq), None, params.W_xh, params.W_hh, params.b_h)
    mean = float(np.abs(d2l.numpy(H_all)).mean())
    print(f"rnn_forward: X (5, 2, 28) -> H_all {d2l.shape(H_all)}, mean |H| = {mean:.4f}")
    if args.all:
        print(f"frameworks that import here: {', '.join(available_frameworks())}")
    return 0


def cmd_train(args):
    """Train the character model and report perplexity (and save it with --save).

    The --save destination is checked before anything else, so a bad path fails at once; then
    the text is read and the memory of the run estimated, before the framework is imported. If
    saving still fails after training, the metrics are printed all the same, then the error.
    """
    save_to = None if args.save is None else save_path(args.save)
    from . import limits
    from ._cells import get_cell
    from .data import TimeMachine
    from .language_model import RNNLM
    from .training import train

    try:
        data = TimeMachine(batch_size=args.batch_size, num_steps=args.num_steps, path=args.text)
        cell = get_cell(args.cell, "train")
        shape = {"num_layers": args.layers, "bidirectional": args.bidirectional}
        sizes = (args.batch_size, args.num_steps, len(data.vocab), args.hidden, cell, "train")
        limits.check_run(*sizes, args.layers, 2 if args.bidirectional else 1)
        d2l = framework_of(args)
        model = RNNLM(data.vocab, args.hidden, d2l, seed=args.seed, cell=args.cell, **shape)
        history = train(
            model,
            data,
            epochs=args.epochs,
            lr=args.lr,
            clip=args.clip,
            partition=args.partition,
            seed=args.seed,
            progress=not args.no_progress,
        )
        # a bidirectional model cannot write left to right (notebook 9 shows why): no sample
        sample = None if args.bidirectional else model.predict("time traveller", 50)
        interrupted = False
    except KeyboardInterrupt:
        interrupted = True
    if interrupted:  # outside the except block: the traceback, and with it the progress bar, is gone
        return _interrupted(f"; nothing was saved to {save_to}" if save_to else "")
    result = {
        "framework": d2l.name,
        "cell": args.cell,
        **shape,
        "epochs": history.epochs,
        "train_perplexity": round(history.train_perplexity[-1], 4),
        "val_perplexity": round(history.val_perplexity[-1], 4),
        "seconds": round(history.total_seconds, 3),
        "tokens_per_second": round(history.tokens_per_second),
    }
    if sample is not None:
        result["sample"] = sample
    failure, interrupted = None, False
    if save_to is not None:
        keys = ("epochs", "batch_size", "num_steps", "lr", "clip", "seed", "partition")
        hyper = {k: getattr(args, k) for k in keys}
        try:
            result["checkpoint"] = str(model.save(save_to, **hyper))
        except RNNGuideError as err:  # the run is not lost: report it, then say what failed
            result["checkpoint_error"] = failure = str(err)
        except KeyboardInterrupt:  # the write is atomic: the old file (if any) is untouched
            result["checkpoint_error"], interrupted = "interrupted", True
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")
    if interrupted:
        return _interrupted(f"; nothing was saved to {save_to}")
    if failure is not None:
        print(f"rnn-guide: error: the model was trained but not saved: {_one_line(failure)}", file=sys.stderr)
        return 1
    return 0


def cmd_generate(args):
    """Generate text from a checkpoint, in any framework."""
    from .language_model import RNNLM

    d2l = framework_of(args)
    model = RNNLM.load(args.checkpoint, d2l)
    text = model.predict(args.prefix, args.num_chars, temperature=args.temperature, seed=args.seed)
    print(json.dumps({"framework": d2l.name, "text": text}) if args.json else text)
    return 0


def notebook_source(student=False):
    """The packaged folder of the instructor notebooks, or of their student editions."""
    folder = resources.files(__package__) / "notebooks"
    return folder / "student" if student else folder


def write_notebooks(folder, source, force=False):
    """Copy the notebooks ``source/NN_*.ipynb`` into ``folder`` (created if needed).

    Args:
        folder: where to write them.
        source: a folder (a path or an ``importlib.resources`` traversable) holding the notebooks.
        force: overwrite notebooks of the same names already in ``folder``.

    Returns:
        The paths written, in reading order.

    Raises:
        RNNGuideError: ``source`` holds no notebook; ``folder`` is a file, cannot be created, or
            (without ``force``) already holds notebooks of the same names, all named.
    """
    from ._files import write_atomically  # it loads NumPy: only when notebooks are written

    folder, names = Path(folder), []
    if source.is_dir():
        names = sorted(e.name for e in source.iterdir() if re.fullmatch(r"\d\d_.+\.ipynb", e.name))
    if not names:
        raise RNNGuideError(
            f"no notebooks (NN_*.ipynb) in {source}: this installation of rnn_guide lacks them; "
            "reinstall it from a wheel or a clone that has them"
        )
    if folder.exists() and not folder.is_dir():
        raise RNNGuideError(f"notebooks: DIR must be a folder, received {folder}, which is a file")
    existing = [name for name in names if (folder / name).exists()]
    if existing and not force:
        raise RNNGuideError(
            f"notebooks: {folder} already holds {', '.join(existing)}; pass --force to overwrite "
            "them, or choose another folder"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RNNGuideError(f"cannot create the folder {folder}: {err.strerror or err}") from None
    for name in names:
        write_atomically(folder / name, (source / name).read_bytes(), "write")
    return [folder / name for name in names]


def cmd_notebooks(args):
    """Write the instructor notebooks, or with --student their student editions, into a folder."""
    written = write_notebooks(args.dir, notebook_source(args.student), force=args.force)
    edition = "student editions" if args.student else "instructor notebooks, answers in"
    print(f"wrote {len(written)} notebooks ({edition}) to {args.dir}:")
    for path in written:
        print(f"  {path}")
    print(f"next: jupyter lab {shlex.quote(str(written[0]))}")
    return 0


def cmd_bench(args):
    """Run a source checkout's benchmark (benchmarks/ is not installed): one worker per framework,
    run as ``python -m benchmarks.run`` in the checkout (beside the package, else the current folder),
    which puts it first on the worker's import path; then the report. Names are checked first.
    """
    from ._config import canonical_name

    try:  # --framework, else $RNN_GUIDE_FRAMEWORK, else the default
        names = [command_line_framework()] if args.framework is None else args.framework.split(",")
        frameworks = list(dict.fromkeys(canonical_name(name) for name in names if name.strip()))
    except RNNGuideError as err:
        raise RNNGuideError(f"bench: {err}") from None
    if not frameworks:
        raise RNNGuideError(f"bench: --framework must name a framework, received {args.framework!r}")
    if args.cell != "rnn" and "numpy" in frameworks:
        raise RNNGuideError(
            f"bench: --cell {args.cell} needs a framework with autograd: the NumPy reference trains only "
            f"the plain RNN; received --framework {args.framework}"
        )
    python = shutil.which(args.python)  # made absolute below: the workers run in another folder
    if python is None:
        raise RNNGuideError(
            f"bench: --python must be a Python interpreter that can be run, received {args.python!r} "
            "(not found, or not executable)"
        )
    python = os.path.abspath(python)
    candidates = [Path(__file__).resolve().parents[1], Path.cwd()]
    root = next((c for c in candidates if (c / "benchmarks" / "run.py").is_file()), None)
    if root is None:
        raise RNNGuideError(
            "bench needs a source checkout of rnn_guide: benchmarks/run.py was not found beside the "
            f"package or in the current folder (looked in {', '.join(str(c) for c in candidates)})"
        )
    out = str(Path(args.out).resolve() if args.out else root / "benchmarks" / "results")
    for framework in frameworks:
        worker = [python, "-m", "benchmarks.run", "--framework", framework, "--out", out]
        worker += ["--cell", args.cell] if args.cell != "rnn" else []
        worker += ["--epochs", str(args.epochs)] if args.epochs is not None else []
        worker += ["--no-builtin"] if args.no_builtin else []
        if subprocess.run(worker, cwd=root).returncode != 0:
            raise RNNGuideError(f"the benchmark worker failed for {framework!r}: {' '.join(worker)}")
    report = [python, "-m", "benchmarks.report", out, "--out", str(Path(out) / "README.md")]
    return subprocess.run(report, cwd=root).returncode


COMMANDS = {
    "check": cmd_check,
    "train": cmd_train,
    "generate": cmd_generate,
    "notebooks": cmd_notebooks,
    "bench": cmd_bench,
}


def _one_line(message):
    return " ".join(str(message).split("\n"))


def _interrupted(note=""):
    print(f"rnn-guide: interrupted{note}", file=sys.stderr)
    return 130


def save_path(value):
    """``--save``'s file, checked (:func:`~rnn_guide.checkpoint.check_writable`) before any work. A name
    ending in ``/`` means a folder even when none exists yet: refused, not written as a file ``out``."""
    from .checkpoint import check_writable

    if value.endswith(("/", os.sep)):
        raise RNNGuideError(
            f"cannot save to {value}: a name ending in {value[-1]} is a folder, expected a file name "
            f"such as {os.path.join(value, 'model.safetensors')}"
        )
    return check_writable(value)


def main(argv=None):
    """Run one command; return its exit code (see the module docstring). Everything heavy is imported
    inside the ``try``: Ctrl-C while NumPy or a framework loads is one line and code 130 as well."""
    try:
        from ._cli_parser import build_parser

        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return _interrupted()
    except (RNNGuideError, FrameworkNotInstalledError) as err:
        print(f"rnn-guide: error: {_one_line(err)}", file=sys.stderr)
        return 2
