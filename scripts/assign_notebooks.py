"""Build the classroom edition: student notebooks and otter-grader autograder zips.

    python scripts/assign_notebooks.py --out handout                 # every notebook, PyTorch grading
    python scripts/assign_notebooks.py --out handout --framework jax rnn_guide/notebooks/02_*.ipynb
    python scripts/assign_notebooks.py --package                     # rnn_guide/notebooks/student/

This is the project's assign command (also ``tox -e assign``). The notebooks in
``rnn_guide/notebooks/`` are the instructor's version, answers and hidden tests in. For each one,
``--out DIR`` writes ``DIR/<name>.ipynb``, the student notebook, and ``DIR/<name>-autograder.zip``,
otter's autograder, and once ``DIR/rnn_guide-<version>-py3-none-any.whl``, for the students and
inside each zip (it ships the student notebooks just built). ``--package`` writes only the student
notebooks, into the package (``rnn-guide notebooks DIR --student`` copies them out of an installed
wheel); ``tests/test_classroom.py`` fails when those are not the current ones. The output is the
same from run to run (the cells otter adds get ids derived from their place).

The assignment configuration lives here, once: :func:`assignment_config` replaces the
``# ASSIGNMENT CONFIG`` raw cell (cell 0) of a temporary copy of each notebook before ``otter assign``
runs. The student notebook has no otter cells: no ``grader = otter.Notebook("<file name>")``, which
would break a renamed or Colab-opened copy, and no ``grader.check``. Its checks are the notebook's
own ``rnn_guide.questions.feedback(...)`` cells, so students need rnn_guide, not otter. Tests go to
files (hidden ones only into the zip), so the student notebook's JSON holds no test.

The zip installs rnn_guide from the wheel built from this checkout (``pip wheel --no-deps``),
shipped inside it (otter's ``autograder_files``, unpacked to ``/autograder/source/files/``), with
one framework (PyTorch's CPU build by default), and grades every submission in that framework
(the plugin ``rnn_guide.questions.grading.GradeInFramework``, whatever the notebook's flag).
"""

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "rnn_guide" / "notebooks"
PACKAGE_STUDENT = NOTEBOOKS / "student"
CONFIG_MARKER = "# ASSIGNMENT CONFIG"
QUESTION_MARKER = "# BEGIN QUESTION"
PLUGIN = "rnn_guide.questions.grading.GradeInFramework"
# where otter's Docker image and Gradescope unpack the zip's autograder_files
ZIP_FILES = "/autograder/source/files"
# What each framework adds to the grading environment, pinned to the releases the tox envs test.
FRAMEWORK_REQUIREMENTS = {
    # PyPI's torch for Linux is the multi-GB CUDA build; the CPU build comes from PyTorch's index.
    "pytorch": ["--extra-index-url https://download.pytorch.org/whl/cpu", "torch==2.13.0+cpu"],
    "tensorflow": ["tensorflow-cpu==2.21.0"],
    "jax": ["jax==0.10.2"],
    # the last MXNet release imports only with numpy < 1.24 (the extra pins it)
    "mxnet": ["mxnet==1.9.1"],
    "numpy": [],
}
# files of the checkout that a wheel is built from
WHEEL_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "rnn_guide")


def is_instructor_notebook(path):
    """Whether the notebook at ``path`` has questions (otter's ``# BEGIN QUESTION`` raw cells)."""
    nb = nbformat.read(path, as_version=4)
    return any(c.cell_type == "raw" and c.source.startswith(QUESTION_MARKER) for c in nb.cells)


def instructor_notebooks():
    """The notebooks in ``rnn_guide/notebooks/`` that have questions, in order."""
    return [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if is_instructor_notebook(p)]


def requirements(framework, wheel_name):
    """The pip lines of the grading environment: the framework, then rnn_guide from its wheel."""
    if framework not in FRAMEWORK_REQUIREMENTS:
        raise SystemExit(f"--framework must be one of {', '.join(FRAMEWORK_REQUIREMENTS)}; got {framework!r}")
    extra = "" if framework == "numpy" else f"[{framework}]"
    return [*FRAMEWORK_REQUIREMENTS[framework], f"rnn-guide{extra} @ file://{ZIP_FILES}/{wheel_name}"]


def assignment_config(framework="pytorch", wheel_name=None):
    """otter assign's configuration for every notebook; without a wheel, no autograder zip."""
    config = {
        "init_cell": False,  # otter.Notebook("<file name>") breaks a renamed or moved copy
        "check_all_cell": False,
        "export_cell": False,  # students hand in the .ipynb itself
        "run_tests": False,  # nbval and tests/test_grading.py run the tests on the answers
        "solutions_pdf": False,
        "show_question_points": True,
        "tests": {"files": True, "ok_format": True},  # in files: nothing of them in the student JSON
        "generate": False,
    }
    if wheel_name is not None:
        config["generate"] = {"pdf": False, "plugins": [{PLUGIN: {"framework": framework}}]}
        config["python_version"] = "3.11"  # the Python every framework here is tested on (MXNet: <= 3.11)
        config["requirements"] = requirements(framework, wheel_name)
        config["autograder_files"] = [wheel_name]
    return config


def configured_copy(path, config):
    """The notebook at ``path`` with the script's config in cell 0 and no otter check cells."""
    nb = nbformat.read(path, as_version=4)
    cell = nbformat.v4.new_raw_cell(f"{CONFIG_MARKER}\n{yaml.safe_dump(config, sort_keys=False)}")
    if nb.cells and nb.cells[0].cell_type == "raw" and nb.cells[0].source.startswith(CONFIG_MARKER):
        nb.cells[0] = cell
    else:
        nb.cells.insert(0, cell)
    for cell in nb.cells:
        if cell.cell_type == "raw" and cell.source.startswith(QUESTION_MARKER):
            question = yaml.safe_load(cell.source[len(QUESTION_MARKER) :]) or {}
            question["check_cell"] = False  # grader.check would need otter's init cell
            cell.source = f"{QUESTION_MARKER}\n{yaml.safe_dump(question, sort_keys=False)}"
    return nb


def normalize(student, instructor):
    """Give the cells otter adds ids derived from their place, so the output is reproducible."""
    known = {c.get("id") for c in instructor.cells}
    seen = set()
    for i, cell in enumerate(student.cells):
        if cell.get("id") in known and cell.get("id") not in seen:
            seen.add(cell.id)
            continue
        digest = hashlib.sha1(f"{i}\n{cell.cell_type}\n{cell.source}".encode()).hexdigest()
        cell["id"] = f"otter-{digest[:12]}"
        seen.add(cell.id)
    return student


def build_wheel(out, student=()):
    """Build rnn_guide's wheel from a clean copy of this checkout into ``out``; return its path.

    ``student``: student notebooks to ship in it instead of the packaged ones of the same name,
    so the wheel handed out with the notebooks holds the same student editions.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for name in WHEEL_SOURCES:
            source, target = ROOT / name, Path(work) / name
            if source.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")
                shutil.copytree(source, target, ignore=ignore)
            elif source.is_file():
                shutil.copyfile(source, target)
        packaged = Path(work) / PACKAGE_STUDENT.relative_to(ROOT)
        packaged.mkdir(parents=True, exist_ok=True)
        for notebook in student:
            shutil.copyfile(notebook, packaged / Path(notebook).name)
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), work]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"pip wheel failed:\n{result.stdout}{result.stderr}")
    return max(out.glob("rnn_guide-*.whl"), key=lambda p: p.stat().st_mtime)


def assign(path, out, framework="pytorch", wheel=None):
    """Write the student notebook of ``path`` to ``out/<name>``; with ``wheel``, the autograder too.

    Returns:
        The student notebook's path, and the autograder zip's (``out/<stem>-autograder.zip``) or None.
    """
    path, out = Path(path).resolve(), Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    wheel = Path(wheel).resolve() if wheel is not None else None
    config = assignment_config(framework, wheel.name if wheel else None)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        nbformat.write(configured_copy(path, config), work / path.name)
        if wheel is not None:
            shutil.copyfile(wheel, work / wheel.name)
        command = [sys.executable, "-m", "otter", "assign", "--no-pdfs", "--no-run-tests"]
        result = subprocess.run([*command, path.name, "result"], cwd=work, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"otter assign failed on {path.name}:\n{result.stdout}{result.stderr}")
        student = nbformat.read(work / "result" / "student" / path.name, as_version=4)
        normalize(student, nbformat.read(path, as_version=4))
        text = nbformat.writes(student) + "\n"
        for tie in ("otter.Notebook(", "grader.check", "grader.export"):
            if tie in text:
                raise RuntimeError(f"{path.name}: the student notebook calls {tie}, which needs otter")
        target = out / path.name
        target.write_text(text, encoding="utf-8")
        zip_path = None
        if wheel is not None:
            (built,) = (work / "result" / "autograder").glob(f"{path.stem}-autograder_*.zip")
            zip_path = out / f"{path.stem}-autograder.zip"
            shutil.copyfile(built, zip_path)
    return target, zip_path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build student notebooks and otter autograder zips.")
    parser.add_argument("notebooks", nargs="*", help="instructor notebooks (default: all with questions)")
    parser.add_argument("--out", default=str(ROOT / "handout"), help="folder for notebooks and zips")
    parser.add_argument("--framework", default="pytorch", help="the framework the zips grade in")
    parser.add_argument("--wheel", help="an rnn_guide wheel to ship (default: build one from this checkout)")
    parser.add_argument(
        "--package", action="store_true", help=f"only the student notebooks, into {PACKAGE_STUDENT}"
    )
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.notebooks] or instructor_notebooks()
    for path in paths:
        if not is_instructor_notebook(path):
            parser.error(f"{path} has no '{QUESTION_MARKER}' raw cell, so it has no questions to assign")
    requirements(args.framework, "")  # an unknown framework stops here, before any work
    if args.package:
        for path in paths:
            print(assign(path, PACKAGE_STUDENT)[0])
        return
    if args.wheel:
        wheel = Path(args.wheel)
    else:  # students install it too: with the student editions built now
        student = [assign(path, args.out)[0] for path in paths]
        wheel = build_wheel(args.out, student)
    for path in paths:
        for written in assign(path, args.out, args.framework, wheel):
            print(written)
    print(wheel)


if __name__ == "__main__":
    main()
