import subprocess
import sys

import pytest

import rnn_guide
from rnn_guide._config import ENV_VAR, canonical_name, command_line_framework, resolve_framework


@pytest.mark.parametrize(
    "given, expected",
    [
        ("pytorch", "pytorch"),
        ("torch", "pytorch"),
        ("TF", "tensorflow"),
        ("mx", "mxnet"),
        ("jax", "jax"),
        ("numpy", "numpy"),
        (" Tensorflow ", "tensorflow"),
    ],
)
def test_canonical_names_and_aliases(given, expected):
    assert canonical_name(given) == expected


def test_order_of_choice():
    assert resolve_framework(None, environ={}) == ("pytorch", None)
    assert resolve_framework("tf", environ={}) == ("tensorflow", None)
    assert resolve_framework(None, environ={ENV_VAR: "jax"}) == ("jax", None)
    name, note = resolve_framework("pytorch", environ={ENV_VAR: "jax"})
    assert name == "jax"
    assert note == "rnn_guide: RNN_GUIDE_FRAMEWORK=jax overrides framework='pytorch'"
    # the same framework under another spelling is no override
    assert resolve_framework("np", environ={ENV_VAR: "numpy"}) == ("numpy", None)


def test_use_announces_override_in_one_line(monkeypatch, capsys):
    monkeypatch.setenv(ENV_VAR, "numpy")
    d2l = rnn_guide.use("pytorch")
    assert d2l.name == "numpy"
    err = capsys.readouterr().err
    assert err.strip() == "rnn_guide: RNN_GUIDE_FRAMEWORK=numpy overrides framework='pytorch'"


def test_unknown_name_lists_valid_names():
    with pytest.raises(rnn_guide.RNNGuideError) as info:
        rnn_guide.use("pytorhc")
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert "'pytorhc'" in message
    for name in rnn_guide.FRAMEWORKS:
        assert repr(name) in message


def test_bad_env_var_is_reported(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "caffe")
    with pytest.raises(rnn_guide.RNNGuideError, match="RNN_GUIDE_FRAMEWORK='caffe' is invalid"):
        rnn_guide.use()


@pytest.mark.parametrize("name", ["jax", "mxnet"])
def test_missing_framework_names_the_extra(monkeypatch, fresh_backends, name):
    # Make the framework unimportable, whatever is installed here (and not yet built: fresh_backends).
    monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, f"rnn_guide.backends.{name}", None)
    with pytest.raises(rnn_guide.FrameworkNotInstalledError) as info:
        rnn_guide.use(name)
    assert isinstance(info.value, ImportError)
    pip = {"jax": "pip install jax,", "mxnet": 'pip install mxnet "numpy<1.24",'}[name]
    assert f"Install it with: {pip} or install rnn_guide with its [{name}] extra" in str(info.value)
    if name == "mxnet":
        assert "numpy < 1.24" in str(info.value)
        assert "Python <= 3.11" in str(info.value)


def test_import_loads_no_framework():
    code = (
        "import sys, rnn_guide; "
        "print(sorted(m for m in ('torch', 'tensorflow', 'jax', 'mxnet') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_available_frameworks_always_has_numpy():
    found = rnn_guide.available_frameworks()
    assert "numpy" in found
    assert found == [f for f in rnn_guide.FRAMEWORKS if f in found]


def test_use_returns_named_backend(backend):
    assert rnn_guide.use(backend.name) is backend
    assert backend.name in rnn_guide.available_frameworks()


def test_use_checks_the_seed():
    with pytest.raises(rnn_guide.RNNGuideError, match=r"seed must be a non-negative integer, received -1"):
        rnn_guide.use("numpy", seed=-1)
    with pytest.raises(rnn_guide.RNNGuideError, match=r"received 1.5"):
        rnn_guide.use("numpy", seed=1.5)


def test_the_command_line_order_lets_the_flag_win():
    assert command_line_framework(None, environ={}) == "pytorch"
    assert command_line_framework(None, environ={ENV_VAR: "jax"}) == "jax"
    assert command_line_framework("np", environ={ENV_VAR: "jax"}) == "numpy"
    assert command_line_framework("numpy", environ={ENV_VAR: "caffe"}) == "numpy"  # the variable is not read
    with pytest.raises(rnn_guide.RNNGuideError, match="RNN_GUIDE_FRAMEWORK='caffe' is invalid"):
        command_line_framework(None, environ={ENV_VAR: "caffe"})


def test_a_long_value_is_shortened_in_the_message():
    with pytest.raises(rnn_guide.RNNGuideError) as info:
        resolve_framework(None, environ={ENV_VAR: "x" * 100_000})
    message = str(info.value)
    assert len(message) < 400 and "(100002 characters)" in message
