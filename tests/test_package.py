"""The package itself: submodules as lazy attributes, no framework at import, its version and licence."""

import importlib.metadata
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import rnn_guide
from rnn_guide._cli import main

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORK_MODULES = ("torch", "tensorflow", "jax", "mxnet")
DOCS = [
    ROOT / "README.md",
    ROOT / "CONTRIBUTING.md",
    ROOT / "TEACHING.md",
    *sorted((ROOT / "docs").glob("*.md")),
]


def fresh_python(code):
    """Run ``code`` in a new interpreter (nothing imported before it) and return its JSON output."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_submodules_load_on_first_use_and_import_no_framework():
    loaded = fresh_python(
        "import json, sys, rnn_guide\n"
        f"FW = {FRAMEWORK_MODULES!r}\n"
        "at_import = sorted(m for m in FW if m in sys.modules)\n"
        "lazy = [n for n in ('pretrained', 'gradients', 'memory', 'checks', 'questions')\n"
        "        if f'rnn_guide.{n}' not in sys.modules]\n"
        "models = rnn_guide.pretrained.__name__, rnn_guide.gradients.__name__, rnn_guide.memory.__name__\n"
        "checks, questions = rnn_guide.checks.__name__, rnn_guide.questions.__name__\n"
        "print(json.dumps({'at_import': at_import, 'lazy': lazy, 'names': [*models, checks, questions],\n"
        "                  'after': sorted(m for m in FW if m in sys.modules)}))"
    )
    assert loaded["at_import"] == []  # import rnn_guide imports no framework
    assert loaded["lazy"] == ["pretrained", "gradients", "memory", "checks", "questions"]  # not yet imported
    assert loaded["names"] == [
        f"rnn_guide.{n}" for n in ("pretrained", "gradients", "memory", "checks", "questions")
    ]
    assert loaded["after"] == []  # nor does loading them


def test_every_library_module_is_an_attribute():
    # a leading underscore marks plumbing that no notebook imports: not an attribute of the package
    modules = {m.name for m in pkgutil.iter_modules(rnn_guide.__path__) if not m.name.startswith("_")}
    assert modules == set(rnn_guide._SUBMODULES), "a new module goes into rnn_guide._SUBMODULES"
    assert set(rnn_guide._SUBMODULES) <= set(dir(rnn_guide))
    assert "__version__" in dir(rnn_guide)
    assert set(rnn_guide.__all__) <= set(dir(rnn_guide))


def test_the_package_docstring_names_every_public_module():
    listed = set(re.findall(r"``([a-z_]+)``", rnn_guide.__doc__))
    assert set(rnn_guide._SUBMODULES) <= listed, "a public module is named in rnn_guide's docstring"


def test_no_notebook_imports_a_private_module():
    private = {m.name for m in pkgutil.iter_modules(rnn_guide.__path__) if m.name.startswith("_")}
    private -= {"__main__"}
    for notebook in sorted((ROOT / "rnn_guide" / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        used = set(re.findall(r"\brnn_guide\.(_[a-z_]+)", code))
        for names in re.findall(r"from rnn_guide import ([^\n]+)", code):
            used |= {name.split()[0] for name in names.split(",")}
        assert not (used & private), f"{notebook.name} imports {sorted(used & private)}"


def test_every_module_the_docs_name_is_an_attribute():
    named = set()
    for page in DOCS:
        named |= set(re.findall(r"\brnn_guide\.([a-z_]+)\b", page.read_text(encoding="utf-8")))
    modules = named & {m.name for m in pkgutil.iter_modules(rnn_guide.__path__)}
    assert {"pretrained", "gradients", "memory", "checks"} <= modules
    names = f"[getattr(rnn_guide, n).__name__ for n in {sorted(modules)!r}]"
    code = f"import json, rnn_guide; print(json.dumps({names}))"
    assert fresh_python(code) == [f"rnn_guide.{n}" for n in sorted(modules)]


@pytest.mark.parametrize(
    "name, hint",
    [
        ("pretrain", "; did you mean 'pretrained'?"),
        ("TimeMachin", "; did you mean 'TimeMachine'?"),
        ("xyzzy", "; dir(rnn_guide) lists what it has"),
    ],
)
def test_an_unknown_attribute_is_an_attribute_error_that_helps(name, hint):
    with pytest.raises(AttributeError) as info:
        getattr(rnn_guide, name)
    assert str(info.value) == f"module 'rnn_guide' has no attribute {name!r}{hint}"


def test_the_version_is_the_installed_one(capsys):
    version = importlib.metadata.version("rnn-guide")
    assert rnn_guide.__version__ == version
    assert re.search(rf'^version = "{re.escape(version)}"$', (ROOT / "pyproject.toml").read_text(), re.M)
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"rnn_guide {version}\n"


def test_the_changelog_has_the_version_and_the_licence_is_mit():
    version = importlib.metadata.version("rnn-guide")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)
    assert "## [Unreleased]" in changelog
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n\nCopyright (c) 2026 rnn_guide developers\n")
    assert re.search(r'^license = "MIT"$', (ROOT / "pyproject.toml").read_text(), re.M)
