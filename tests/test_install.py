"""A student's install, end to end: the built wheel in a fresh venv outside the repository.

The wheel is built from the sources the package needs (pyproject.toml, README.md, LICENSE and
rnn_guide/, copied out so the build writes nothing into the checkout) and installed with
``[pytorch,notebooks]`` and ``torch==2.13.0`` (the CPU build) into a new venv under tmp_path.
Then, in an empty folder with no ``RNN_GUIDE_DATA_DIR`` (nothing read from the repository, no
network for data): ``rnn-guide --version``, ``rnn-guide train --epochs 2``,
``rnn-guide notebooks nb --student`` and notebook 5 executed with ``jupyter execute``.

It runs in the pytorch tox env (RNN_GUIDE_TEST_FRAMEWORKS=pytorch), the one meant to test it, and
is skipped in the others. pip's cache is kept, so a second run installs from it (about 40 s on a
quiet 2-core machine, 3 to 4 minutes in all with the training and the notebook).
"""

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WANTED = {n.strip() for n in os.environ.get("RNN_GUIDE_TEST_FRAMEWORKS", "").split(",")}

pytestmark = pytest.mark.skipif(
    "pytorch" not in WANTED,
    reason="the wheel's install is tested in the pytorch tox env (RNN_GUIDE_TEST_FRAMEWORKS=pytorch)",
)


def run(args, cwd, env, timeout=900):
    """Run a command; fail with its output when it exits with an error."""
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (
        f"{' '.join(map(str, args))} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


def clean_env(tmp_path):
    """The user's environment, less anything that points into this checkout or this tox env."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RNN_GUIDE_")}
    for name in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"):
        env.pop(name, None)
    # Jupyter's kernels and settings from this venv only, not from the user's home folder
    for name, folder in [
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("IPYTHONDIR", "ipy"),
    ]:
        env[name] = str(tmp_path / "jupyter" / folder)
    env.pop("JUPYTER_PATH", None)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """``(bin folder, environment)`` of a fresh venv holding the wheel with [pytorch,notebooks]."""
    tmp = tmp_path_factory.mktemp("install")
    env = clean_env(tmp)
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "rnn_guide", source / "rnn_guide", ignore=shutil.ignore_patterns("__pycache__"))
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", str(source), "-w", str(tmp / "dist")], tmp, env)
    (wheel,) = (tmp / "dist").glob("rnn_guide-*.whl")
    venv.create(tmp / "venv", with_pip=True)
    bin_dir = tmp / "venv" / ("Scripts" if os.name == "nt" else "bin")
    # torch==2.13.0 pinned: the CPU build (a local wheel on the project's machines), not PyPI's CUDA one
    run(
        [bin_dir / "python", "-m", "pip", "install", f"{wheel}[pytorch,notebooks]", "torch==2.13.0"], tmp, env
    )
    return bin_dir, env


@pytest.fixture
def empty(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    return folder


def test_the_version_is_the_built_one(installed, empty):
    bin_dir, env = installed
    out = run([bin_dir / "rnn-guide", "--version"], empty, env)
    assert out.strip() == f"rnn_guide {importlib.metadata.version('rnn-guide')}"


def test_train_reads_the_packaged_text(installed, empty):
    bin_dir, env = installed
    out = run([bin_dir / "rnn-guide", "train", "--epochs", "2", "--json", "--no-progress"], empty, env)
    result = json.loads(out.strip().splitlines()[-1])
    assert (result["framework"], result["epochs"]) == ("pytorch", 2)
    assert 1 < result["val_perplexity"] < 28  # better than uniform over the 28 tokens
    assert len(result["sample"]) == len("time traveller") + 50
    assert list(empty.iterdir()) == []  # nothing written, nothing cached


def test_notebooks_are_written_and_notebook_5_runs(installed, empty):
    bin_dir, env = installed
    out = run([bin_dir / "rnn-guide", "notebooks", "nb", "--student"], empty, env)
    names = sorted(p.name for p in (empty / "nb").iterdir())
    packaged = sorted(p.name for p in (ROOT / "rnn_guide" / "notebooks" / "student").glob("*.ipynb"))
    assert names == packaged and names[0] == "01_no_hidden_state.ipynb"  # every one, 01 to 09
    assert out.splitlines()[-1] == "next: jupyter lab nb/01_no_hidden_state.ipynb"
    (notebook,) = (empty / "nb").glob("05_*.ipynb")
    run(
        [bin_dir / "jupyter", "execute", "--inplace", "--timeout=900", str(notebook)],
        empty,
        env,
        timeout=1800,
    )
    cells = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in cells)  # every code cell ran
    outputs = [o for c in cells for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert any("perplexity" in "".join(o.get("text", "")) for o in outputs)
    # the student edition as handed out: every feedback cell answers with one line, unanswered
    feedback = [c for c in cells if "questions.feedback(" in "".join(c["source"])]
    assert len(feedback) == 4
    for cell in feedback:
        text = "".join("".join(o.get("text", "")) for o in cell["outputs"]).strip()
        assert text.startswith("✗ q5_") and "\n" not in text, text
