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
