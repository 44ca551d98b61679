"""A synthetic class of notebook 2, graded end to end with ``otter run`` and the autograder zip.

The assign command builds notebook 2's student edition and its autograder zip for the env's
framework (rnn_guide's wheel inside, the plugin that grades in that framework). Submissions are
written from the instructor notebook, whatever its questions are:

- ``correct``: the instructor's answers pasted into the answer cells: full marks;
- ``blank``: the notebook as handed out: 0;
- ``wrong``: one function returns something else: 0 on that question, full marks on the others;
- ``copied``: one function returns the numbers of the notebook's example (seed 0) whatever its
  inputs: it passes the feedback cell, and gets 0 from the hidden tests;
- ``shortcut``: one function calls the library function its question switches off: 0 there;
- ``renamed``: the correct notebook saved as ``02_hidden_state (1).ipynb``: full marks.

``otter run`` needs no Docker: it grades in this env's Python. The scores are read from otter's
``results.json``. The zip builds the grading environment itself only in otter's Docker image or on
Gradescope; ``test_zip_installs_the_wheel_and_the_framework`` checks what it would install.
"""

import csv
import inspect
import json
import re
import subprocess
import sys
import zipfile

import nbformat
import numpy as np
import pytest
import yaml
from classroom import copied_answer, fill, read_questions, shortcut_answer, wrong_answer
from conftest import load_backend

import rnn_guide
from rnn_guide import questions
from scripts.assign_notebooks import NOTEBOOKS, assign, build_wheel, instructor_notebooks
from scripts.collect_written import collect

NOTEBOOK = NOTEBOOKS / "02_hidden_state.ipynb"
QUESTIONS = read_questions(NOTEBOOK)
CODED = [q for q in QUESTIONS if not q.manual and q.checks]


def users(question, notebook_questions=QUESTIONS):
    """The other questions whose answers call this question's function."""
    function = question.checks[0][1]
    return [
        q.name
        for q in notebook_questions
        if q is not question and any(re.search(rf"\b{function}\(", s) for s in q.slots)
    ]


def redefine(question, change):
    """The question's answer cells, with the one that defines its function replaced by
    ``change(source of that cell, function name)``."""
    function = question.checks[0][1]
    slots = list(question.slots)
    (i,) = [i for i, s in enumerate(slots) if f"def {function}(" in s]
    slots[i] = change(slots[i], function)
    return slots


def example_numbers(question, d2l):
    """The right answer on the feedback cell's example (seed 0), as NumPy; None if not one tensor."""
    spec = questions.get(question.checks[0][0])
    expected = spec.reference(d2l, *spec.inputs(d2l, np.random.default_rng(0)))
    return None if isinstance(expected, (tuple, list)) else d2l.numpy(expected)


def refused_call(question, d2l):
    """The first refused library function that takes the question's inputs, as a student calls it."""
    spec = questions.get(question.checks[0][0])
    args = spec.inputs(d2l, np.random.default_rng(0))
    for name in spec.refuse:
        owner, *path = name.split(".")
        target = {"rnn_guide": rnn_guide, "d2l": d2l}[owner]
        for part in path:
            target = getattr(target, part)
        try:
            inspect.signature(target).bind(*args)
        except TypeError:
            continue
        return name
    return None


def submissions(student, d2l):
    """``{case: (file name, notebook, {question: expected score})}`` for the synthetic class."""
    full = {q.name: q.points for q in CODED}
    targets = sorted(CODED, key=lambda q: bool(users(q)))  # questions no other answer calls, first
    wrong = targets[0]
    copied = next(q for q in targets if example_numbers(q, d2l) is not None)
    shortcut = next(q for q in targets if refused_call(q, d2l))
    numbers, library = example_numbers(copied, d2l), refused_call(shortcut, d2l)

    def answered(question=None, change=None):
        return fill(student, QUESTIONS, {question.name: redefine(question, change)} if question else {})

    return {
        "correct": (NOTEBOOK.name, answered(), full),
        "blank": (NOTEBOOK.name, student, dict.fromkeys(full, 0)),
        "wrong": (NOTEBOOK.name, answered(wrong, wrong_answer), {**full, wrong.name: 0}),
        "copied": (
            NOTEBOOK.name,
            answered(copied, lambda source, f: copied_answer(f, numbers)),
            {**full, copied.name: 0},
        ),
        "shortcut": (
            NOTEBOOK.name,
            answered(shortcut, lambda source, f: shortcut_answer(f, library)),
            {**full, shortcut.name: 0},
        ),
        "renamed": (f"{NOTEBOOK.stem} (1).ipynb", answered(), full),
    }


def otter_run(zip_path, submission, out):
    """Grade one submission with ``otter run``; return otter's results.json."""
    out.mkdir(parents=True)
    command = [sys.executable, "-m", "otter", "run", "-a", str(zip_path), "-o", str(out), "--no-logo"]
    done = subprocess.run([*command, str(submission)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"otter run failed on {submission.name}:\n{done.stdout}\n{done.stderr}"
    return json.loads((out / "results.json").read_text())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The wheel, and a cache of graded classes per framework."""
    folder = tmp_path_factory.mktemp("grading")
    return {"folder": folder, "wheel": build_wheel(folder / "wheel"), "graded": {}}


@pytest.fixture
def graded(framework, built):
    """``{case: (results.json, expected scores)}``, the class graded in ``framework`` (once)."""
    if framework not in built["graded"]:
        folder = built["folder"] / framework
        student, zip_path = assign(NOTEBOOK, folder / "handout", framework, built["wheel"])
        d2l = load_backend(framework)
        results = {}
        for case, (name, nb, expected) in submissions(nbformat.read(student, as_version=4), d2l).items():
            path = folder / "submissions" / case / name
            path.parent.mkdir(parents=True)
            nbformat.write(nb, path)
            results[case] = (otter_run(zip_path, path, folder / "results" / case), expected)
        built["graded"][framework] = {"zip": zip_path, "results": results}
    return built["graded"][framework]


def scores(results):
    """``{question: score}`` from otter's results.json."""
    return {t["name"]: t["score"] for t in results["tests"] if "score" in t}


@pytest.mark.parametrize("path", instructor_notebooks(), ids=lambda p: p.name)
def test_no_answer_calls_another_answer(path):
    """A wrong answer costs its own question only: no solution calls another question's function
    (the student's version of it may be wrong, and would fail this question too)."""
    found = read_questions(path)
    calls = {q.name: users(q, found) for q in found if not q.manual and q.checks}
    assert not any(calls.values()), f"{path.name}: answers that call another answer's function: {calls}"


def test_notebook_2_has_three_coded_questions():
    assert len(CODED) >= 3, [q.name for q in CODED]
    assert all(q.points > 0 for q in CODED)


@pytest.mark.parametrize("case", ["correct", "blank", "wrong", "copied", "shortcut", "renamed"])
def test_each_submission_gets_the_expected_scores(graded, case):
    results, expected = graded["results"][case]
    assert scores(results) == pytest.approx(expected), json.dumps(results, indent=1)[:4000]


def test_a_shortcut_is_refused_with_a_message(graded):
    results, expected = graded["results"]["shortcut"]
    (zero,) = [name for name, points in expected.items() if points == 0]
    (test,) = [t for t in results["tests"] if t["name"] == zero]
    assert "switched off here" in test["output"], test["output"]


def test_zip_installs_the_wheel_and_the_framework(graded, built, framework):
    """What otter's Docker image or Gradescope would build from the zip: rnn_guide from the wheel
    inside it, the framework, and the plugin that grades every submission in that framework."""
    with zipfile.ZipFile(graded["zip"]) as zf:
        names = set(zf.namelist())
        environment = yaml.safe_load(zf.read("environment.yml"))
        config = json.loads(zf.read("otter_config.json"))
    wheel = built["wheel"].name
    assert f"files/{wheel}" in names
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert f"rnn-guide[{framework}] @ file:///autograder/source/files/{wheel}" in pip
    assert "python=3.11" in environment["dependencies"]
    plugin = {"rnn_guide.questions.grading.GradeInFramework": {"framework": framework}}
    assert config["plugins"] == [plugin]
    hidden = [n for n in names if n.startswith("tests/")]
    assert sorted(hidden) == sorted(f"tests/{q.name}.py" for q in CODED)


WRITTEN = [p for p in instructor_notebooks() if any(q.manual for q in read_questions(p))]


@pytest.mark.parametrize("path", WRITTEN, ids=lambda p: p.name)
def test_written_answers_are_collected_with_points(path, tmp_path):
    """The manual questions of a class, for hand grading: one Markdown file and a score sheet."""
    manual = [q for q in read_questions(path) if q.manual]
    assert all(q.points > 0 for q in manual), [(q.name, q.points) for q in manual]
    student = nbformat.read(assign(path, tmp_path / "handout")[0], as_version=4)
    sources = {q.name: [f"My answer to {q.name}."] for q in manual}
    (tmp_path / "class").mkdir()
    nbformat.write(fill(student, read_questions(path), sources), tmp_path / "class" / "ada.ipynb")
    nbformat.write(student, tmp_path / "class" / f"{path.stem} (1).ipynb")  # handed in blank
    md, sheet = collect(path, sorted((tmp_path / "class").glob("*.ipynb")), tmp_path / "written")
    text = md.read_text()
    for q in manual:
        assert f"## {q.name} ({q.points} points)" in text
        assert f"My answer to {q.name}." in text
    assert text.count("*(no answer)*") == len(manual)
    rows = list(csv.DictReader(sheet.open()))
    assert [(r["file"], r["question"], float(r["points_possible"])) for r in rows] == [
        (file, q.name, q.points) for file in sorted(["ada.ipynb", f"{path.stem} (1).ipynb"]) for q in manual
    ]
