"""Names that moved between modules stay importable from where they were, as the same objects."""

import rnn_guide
from rnn_guide import bptt, gradients, language_model, training


def test_training_names_still_in_language_model():
    for name in ("train", "History", "TrainingDivergedError"):
        assert getattr(language_model, name) is getattr(training, name)
        assert getattr(rnn_guide, name) is getattr(training, name)


def test_bptt_names_still_in_gradients():
    moved = (
        "bptt",
        "bptt_full",
        "bptt_value_and_grad",
        "full_bptt_fn",
        "numerical_gradients",
        "relative_error",
        "bptt_vs_finite_differences",
        "autograd_vs_bptt",
    )
    for name in moved:
        assert getattr(gradients, name) is getattr(bptt, name)


SPLIT_MODULES = ("rnn_guide.training", "rnn_guide.language_model", "rnn_guide.bptt", "rnn_guide.gradients")


def test_each_split_module_imports_first_without_a_cycle():
    """No import cycle: each module imports on its own, whichever comes first."""
    import subprocess
    import sys

    for first in SPLIT_MODULES:
        code = (
            "import importlib, sys\n"
            "import rnn_guide\n"  # the package, then drop the modules under test
            f"for m in {SPLIT_MODULES!r}:\n"
            "    sys.modules.pop(m, None)\n"
            f"importlib.import_module({first!r})\n"
            "from rnn_guide.language_model import History, train\n"
            "from rnn_guide.gradients import bptt\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert result.returncode == 0, f"importing {first} first failed:\n{result.stderr}"
