"""The student notebooks: built by the assign command, free of answers, and their checks give one line.

The assign command (``scripts/assign_notebooks.py``, run here without building an autograder) writes
each student notebook into a temporary folder. Then, per notebook:

- no line of an answer, prose answers and the tests' lines included, appears anywhere in its JSON
  (cells, outputs and metadata);
- it is the packaged student edition (``rnn_guide/notebooks/student/``), so the wheel ships the
  notebooks as the instructor notebooks are now;
- run as handed out in a kernel of the env's framework, every cell runs and every feedback cell
  (``rnn_guide.questions.feedback``) prints one line starting with ✗; with the instructor's answers
  pasted into the answer cells, every one prints a line starting with ✓;
- a renamed copy in another folder (``01_no_hidden_state (1).ipynb``, a browser's second download)
  runs and checks the same: nothing depends on the file's name or place.

nbval runs the instructor notebooks, whose test cells call ``questions.check`` on the answers.
``tests/test_grading.py`` grades a synthetic class with ``otter run`` and the autograder zip.
"""

import shutil

import nbformat
import pytest
from classroom import execute, feedback_outputs, fill, read_questions, secret_lines, whole_json_text

from scripts.assign_notebooks import PACKAGE_STUDENT, assign, instructor_notebooks

NOTEBOOKS = instructor_notebooks()
RENAMED = "01_no_hidden_state (1).ipynb"


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    """The student notebooks, built by the assign command into a fresh folder."""
    folder = tmp_path_factory.mktemp("handout")
    return {path.name: assign(path, folder)[0] for path in NOTEBOOKS}


@pytest.fixture
def kernel_framework(framework, monkeypatch):
    """The env's framework for the notebook kernels (it wins over the notebooks' flag)."""
    monkeypatch.setenv("RNN_GUIDE_FRAMEWORK", framework)
    return framework


def coded_feedback(ran):
    """Each feedback cell's lines, checking that it printed one line per question it checks."""
    outputs = feedback_outputs(ran)
    assert outputs, "the notebook has no feedback cell"
    for names, lines in outputs:
        assert len(lines) == len(names), f"feedback for {names} printed {len(lines)} lines:\n" + "\n".join(
            lines
        )
    return [line for _, lines in outputs for line in lines]


def test_notebooks_1_to_9_have_questions():
    names = [p.name[:2] for p in NOTEBOOKS]
    assert names == [f"{i:02d}" for i in range(1, 10)], names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_notebook_holds_no_answer(path, handout):
    student = whole_json_text(handout[path.name])
    secrets = secret_lines(path)
    assert secrets, f"{path.name} has no answers"
    leaked = [line for line in secrets if line in student]
    assert not leaked, f"{path.name}: the student notebook contains {leaked}"
    assert "otter" not in nbformat.read(handout[path.name], as_version=4).metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_packaged_student_edition_is_current(path, handout):
    packaged = PACKAGE_STUDENT / path.name
    hint = "rebuild it: python scripts/assign_notebooks.py --package"
    assert packaged.is_file(), f"{packaged} is missing; {hint}"
    assert packaged.read_text(encoding="utf-8") == handout[path.name].read_text(encoding="utf-8"), (
        f"{packaged} is not the student edition of {path.name} as it is now; {hint}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_checks_as_handed_out_fail_with_one_line(path, handout, kernel_framework):
    student = handout[path.name]
    lines = coded_feedback(execute(nbformat.read(student, as_version=4), student.parent))
    for line in lines:
        assert line.startswith("✗ "), f"{path.name}: a check passed on the unanswered notebook: {line}"
        assert "Traceback" not in line, f"{path.name}: {line}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_checks_pass_with_the_answers_pasted_back(path, handout, kernel_framework):
    student = handout[path.name]
    answered = fill(nbformat.read(student, as_version=4), read_questions(path))
    for line in coded_feedback(execute(answered, student.parent)):
        assert line.startswith("✓ "), f"{path.name}: the instructor's answer failed: {line}"


def test_a_renamed_copy_elsewhere_checks_the_same(handout, tmp_path, kernel_framework):
    """A browser's second download, opened from another folder (as Colab moves files)."""
    source = next(p for p in NOTEBOOKS if p.name.startswith("01_"))
    copy = tmp_path / "Downloads" / RENAMED
    copy.parent.mkdir()
    shutil.copyfile(handout[source.name], copy)
    blank = coded_feedback(execute(nbformat.read(copy, as_version=4), copy.parent))
    answered = fill(nbformat.read(copy, as_version=4), read_questions(source))
    right = coded_feedback(execute(answered, copy.parent))
    assert blank and all(line.startswith("✗ ") for line in blank), blank
    assert len(right) == len(blank) and all(line.startswith("✓ ") for line in right), right
