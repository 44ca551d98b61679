"""The student notebooks: built by otter assign, free of solutions, and their checks give messages.

For every framework under test, each student notebook is run twice, as a student would: as handed
out (every check must fail with rnn_guide's message, never a traceback) and with the instructor's
solutions pasted back into the answer cells (every check must pass). nbval runs the instructor
notebooks themselves, whose test cells call their test functions, so the answers pass there too.
"""

import re

import ipykernel.kernelspec
import nbformat
import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

from scripts.assign_notebooks import assign, instructor_notebooks

NOTEBOOKS = instructor_notebooks()
ANSWER_TAG = "otter_answer_cell"
CHECK = re.compile(r'grader\.check\("(\w+)"\)')


class _ThisPython(KernelSpecManager):
    """Kernels run on this interpreter (the tox env's), whatever kernels Jupyter has registered."""

    def get_kernel_spec(self, kernel_name):
        return self.kernel_spec_class(
            resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
        )


def solutions(path):
    """The instructor's answers, in order: code cells with ``# SOLUTION`` lines, and the prose
    answers between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` of manual questions."""
    nb = nbformat.read(path, as_version=4)
    answers, inside = [], False
    for cell in nb.cells:
        if cell.cell_type == "raw" and cell.source.startswith("# BEGIN SOLUTION"):
            inside = True
        elif cell.cell_type == "raw" and cell.source.startswith("# END SOLUTION"):
            inside = False
        elif inside:
            answers.append(cell)
    return answers


def run(nb, folder, framework, monkeypatch):
    """Execute ``nb`` in ``folder`` under ``framework``; return {check name: its output text}."""
    monkeypatch.setenv("RNN_GUIDE_FRAMEWORK", framework)
    manager = KernelManager(kernel_name="python3", kernel_spec_manager=_ThisPython())
    client = NotebookClient(
        nb, km=manager, timeout=900, allow_errors=True, resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    results = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        errors = [out for out in cell.outputs if out.output_type == "error"]
        assert not errors, f"cell raised {errors[0].ename}: {errors[0].evalue}\n{cell.source}"
        match = CHECK.search(cell.source)
        if match:
            results[match.group(1)] = text
    return results


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    """The student notebooks, built by otter assign into a fresh folder."""
    folder = tmp_path_factory.mktemp("student")
    return {path.name: assign(path, folder) for path in NOTEBOOKS}


def test_notebooks_1_to_8_have_questions():
    names = [p.name[:2] for p in NOTEBOOKS]
    assert names == [f"{i:02d}" for i in range(1, 9)], names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_notebook_holds_no_solution(path, handout):
    student = handout[path.name].read_text()
    answers = solutions(path)
    assert answers, f"{path.name} has no solution cells"
    for cell in answers:
        for line in cell.source.splitlines():
            line = line.replace("# SOLUTION", "").strip()
            if len(line) > 8 and not line.startswith("#"):
                assert line not in student, f"{path.name}: the student version contains {line!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_checks_as_handed_out_fail_with_a_message(path, handout, framework, monkeypatch):
    student = handout[path.name]
    results = run(nbformat.read(student, as_version=4), student.parent, framework, monkeypatch)
    for name, text in results.items():
        assert "Test case failed" in text, f"{name} passed on the unanswered notebook:\n{text}"
        assert "CheckFailed: " in text, f"{name} failed without rnn_guide's message:\n{text}"
        assert "Traceback" not in text, f"{name} printed a traceback:\n{text}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_checks_pass_with_the_solutions_pasted_back(path, handout, framework, monkeypatch):
    student = handout[path.name]
    nb = nbformat.read(student, as_version=4)
    answer_cells = [c for c in nb.cells if ANSWER_TAG in c.metadata.get("tags", [])]
    answers = solutions(path)
    assert [c.cell_type for c in answer_cells] == [c.cell_type for c in answers]
    for cell, answer in zip(answer_cells, answers):
        cell.source = answer.source
    results = run(nb, student.parent, framework, monkeypatch)
    assert results, f"{path.name} has no checks"
    for name, text in results.items():
        assert "All test cases passed" in text, f"{name} failed with the instructor's answer:\n{text}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_instructor_test_cells_call_their_test(path):
    """nbval then runs every check on the instructor's answers, in every framework env."""
    nb = nbformat.read(path, as_version=4)
    tests, inside = [], False
    for cell in nb.cells:
        if cell.cell_type == "raw":
            inside = cell.source.startswith("# BEGIN TESTS") or (inside and "# END TESTS" not in cell.source)
        elif inside and cell.cell_type == "code":
            tests.append(cell.source)
    for source in tests:
        name = re.match(r"def (test_\w+)\(", source).group(1)
        assert re.search(rf"^{name}\(", source, re.MULTILINE), f"{path.name}: {name} is never called"
