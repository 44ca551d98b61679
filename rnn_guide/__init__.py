"""rnn_guide: the recurrent-neural-network chapter of d2l, on every framework.

    import rnn_guide
    d2l = rnn_guide.use("pytorch")   # or "tensorflow", "jax", "mxnet", "numpy"

Importing this package imports no deep-learning framework and changes no setting of the
process; ``use`` imports the framework and seeds it. The public names (``rnn_guide.RNNLM``,
``rnn_guide.train``, ...), the submodules and ``__version__`` (read from the installed package's
metadata) are attributes imported on first use (PEP 562).

The modules the notebooks import, and the public API beside the top-level names:
``bptt``, ``checks``, ``gradient_plots``, ``gradients``, ``infill``, ``lm_math``, ``memory``,
``plots``, ``pretrained``, ``questions``, ``stacked`` and ``timing``. Also public: the modules the
top-level names come from and what they teach (``backends``, ``recurrence``, ``gated``, ``cell``,
``data``, ``language_model``, ``training``, ``generation``, ``ngram``, ``errors``), the checkpoint
format (``checkpoint``), the size limits (``limits``) and the refusals questions use
(``refusal``). A module whose name starts with an underscore is plumbing: argument checks, file
handling, the command line, the progress bar. Its names may change without notice.
"""

import importlib

#: the public names and the module each comes from, imported on first use (PEP 562): importing
#: the package itself is quick, so the command line can take Ctrl-C cleanly from its first moment
_PUBLIC = {
    "available_frameworks": "backends",
    "backend_of": "backends",
    "concat_check": "recurrence",
    "ConcatCheck": "recurrence",
    "FrameworkNotInstalledError": "errors",
    "FRAMEWORKS": "_config",
    "get_backend": "backends",
    "gru_forward": "gated",
    "gru_step": "gated",
    "GRUParams": "_gated_params",
    "History": "training",
    "init_gru_params": "_gated_params",
    "init_lstm_params": "_gated_params",
    "init_params": "recurrence",
    "init_stacked_params": "stacked",
    "keep_freed_memory": "backends",
    "lstm_forward": "gated",
    "lstm_step": "gated",
    "LSTMParams": "_gated_params",
    "mlp_hidden": "recurrence",
    "NgramModel": "ngram",
    "output_layer": "recurrence",
    "rnn_forward": "recurrence",
    "rnn_step": "recurrence",
    "RNNGuideError": "errors",
    "RNNLM": "language_model",
    "RNNParams": "recurrence",
    "ShapeError": "errors",
    "show": "_show",
    "stacked_forward": "stacked",
    "StackParams": "stacked",
    "TimeMachine": "data",
    "train": "training",
    "TrainingDivergedError": "training",
    "use": "backends",
    "Vocab": "data",
}

#: the public modules, each an attribute of the package, imported on first access (the private
#: modules, whose names start with an underscore, are imported by name only)
_SUBMODULES = frozenset(
    """backends bptt cell checkpoint checks data errors gated generation gradient_plots gradients infill
    language_model limits lm_math memory ngram plots pretrained questions recurrence refusal stacked timing
    training""".split()
)


def _version():
    # The installed distribution's metadata is the one source of the version (pyproject.toml
    # sets it). Without an install (the package imported from a bare source tree) there is no
    # metadata: "0+unknown" says so rather than guessing from a file that may not be there.
    from importlib import metadata

    try:
        return metadata.version("rnn-guide")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def __getattr__(name):
    """The public names, ``rnn_guide.pretrained`` and the other submodules, and ``__version__``,
    loaded on first use."""
    if name in _PUBLIC:
        value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
        globals()[name] = value  # looked up once
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)  # the import sets the attribute too
    if name == "__version__":
        globals()[name] = version = _version()  # read the metadata once
        return version
    import difflib

    close = difflib.get_close_matches(name, sorted({*__all__, *_SUBMODULES}), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "; dir(rnn_guide) lists what it has"
    raise AttributeError(f"module 'rnn_guide' has no attribute {name!r}{hint}")


def __dir__():
    return sorted({*globals(), *_PUBLIC, *_SUBMODULES, "__version__"})


__all__ = [
    "FRAMEWORKS",
    "ConcatCheck",
    "FrameworkNotInstalledError",
    "GRUParams",
    "History",
    "LSTMParams",
    "NgramModel",
    "RNNGuideError",
    "RNNLM",
    "RNNParams",
    "ShapeError",
    "TimeMachine",
    "StackParams",
    "TrainingDivergedError",
    "Vocab",
    "available_frameworks",
    "backend_of",
    "concat_check",
    "get_backend",
    "gru_forward",
    "gru_step",
    "init_gru_params",
    "init_lstm_params",
    "init_params",
    "init_stacked_params",
    "keep_freed_memory",
    "lstm_forward",
    "lstm_step",
    "mlp_hidden",
    "output_layer",
    "rnn_forward",
    "rnn_step",
    "show",
    "stacked_forward",
    "train",
    "use",
]
