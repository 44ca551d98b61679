"""Helpers of the classroom tests: an instructor notebook's questions, and notebooks a student hands in.

The instructor notebooks use otter assign's format: raw cells ``# BEGIN QUESTION`` (a YAML config:
name, points, manual), ``# BEGIN SOLUTION`` / ``# END SOLUTION`` around the answer cells,
``# BEGIN TESTS`` / ``# END TESTS`` around test cells that call
``questions.check("<question>", <function>, d2l[, seed=...])``, then ``# END QUESTION``. Nothing
here knows a notebook's questions by name: the submissions of a synthetic class are written from
whatever the instructor notebook holds, so the tests follow the questions when they change.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import ipykernel.kernelspec
import nbformat
import numpy as np
import yaml
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

ANSWER_TAG = "otter_answer_cell"  # otter's tag on the cells a student fills in
CHECK_CALL = re.compile(r"""questions\.check\(\s*["'](\w+)["']\s*,\s*(\w+)""")
FEEDBACK_CALL = re.compile(r"""questions\.feedback\(\s*["'](\w+)["']""")


@dataclass
class Question:
    """One otter question of an instructor notebook."""

    name: str
    points: float
    manual: bool
    answers: list = field(default_factory=list)  # the solution cells, in order
    tests: list = field(default_factory=list)  # the sources of its test cells
    checks: list = field(default_factory=list)  # (registered question, the student's function)

    @property
    def slots(self):
        """What the student fills in: one cell per code answer, one Markdown cell for all prose."""
        code = [c.source for c in self.answers if c.cell_type == "code"]
        prose = "\n\n".join(c.source for c in self.answers if c.cell_type == "markdown")
        return code + ([prose] if prose else [])


def raw_marker(cell):
    """``"BEGIN QUESTION"``, ``"END TESTS"``, ... for otter's raw boundary cells, else None."""
    if cell.cell_type != "raw":
        return None
    match = re.match(r"#\s*((BEGIN|END)\s+(QUESTION|SOLUTION|TESTS|PROMPT))", cell.source)
    return " ".join(match.group(1).split()) if match else None


def read_questions(path):
    """The questions of the instructor notebook at ``path``, in order."""
    nb = nbformat.read(path, as_version=4)
    found, question, block = [], None, None
    for cell in nb.cells:
        marker = raw_marker(cell)
        if marker == "BEGIN QUESTION":
            config = yaml.safe_load(cell.source.split("\n", 1)[1]) or {}
            question = Question(config["name"], config.get("points", 1), bool(config.get("manual")))
            found.append(question)
        elif marker in ("BEGIN SOLUTION", "BEGIN TESTS"):
            block = marker.split()[1]
        elif marker in ("END SOLUTION", "END TESTS"):
            block = None
        elif marker == "END QUESTION":
            question = None
        elif question is not None and block == "SOLUTION":
            question.answers.append(cell)
        elif question is not None and block == "TESTS":
            question.tests.append(cell.source)
            question.checks.extend(m for m in CHECK_CALL.findall(cell.source) if m not in question.checks)
    return found


def shown_text(path):
    """What the instructor notebook shows on purpose: its prose and code outside answers and tests
    (the prompts included)."""
    shown, block = [], None
    for cell in nbformat.read(path, as_version=4).cells:
        marker = raw_marker(cell)
        if marker in ("BEGIN SOLUTION", "BEGIN TESTS"):
            block = marker
        elif marker in ("END SOLUTION", "END TESTS"):
            block = None
        elif block is None and cell.cell_type != "raw":
            shown.append(cell.source)
    return "\n".join(shown)


def secret_lines(path):
    """Every line a student must not see: solution lines (``# SOLUTION`` lines, in-cell
    ``# BEGIN SOLUTION`` blocks, prose answers) and the lines of the tests, which hold the hidden
    seeds; and for a code line, the expression it computes (after ``return`` or ``=``), unless the
    notebook shows that expression on purpose (a prompt's hint, the signature's names)."""
    lines, expressions = [], []
    for question in read_questions(path):
        sources = [(c.cell_type, c.source) for c in question.answers] + [("test", t) for t in question.tests]
        for kind, source in sources:
            inside = False
            for line in source.splitlines():
                bare = line.strip()
                if re.match(r"#\s*(BEGIN|END) SOLUTION", bare):
                    inside = bare.startswith("# BEGIN")
                    continue
                if kind == "markdown" or kind == "test" or inside or bare.endswith("# SOLUTION"):
                    bare = re.sub(r"\s*#\s*SOLUTION$", "", bare)
                    lines.append(bare)
                    if kind != "markdown":
                        split = re.split(r"^return\s+|^[\w\s,.\[\]]+?=(?!=)\s*", bare, maxsplit=1)
                        expressions.append(split[-1].strip())
    shown = shown_text(path)
    secrets = set(lines) | {e for e in expressions if e not in shown}
    # short or generic lines (a "..." or "return H") say nothing about the answer
    generic = ("from rnn_guide import questions", '""" # BEGIN TEST CONFIG', '""" # END TEST CONFIG')
    return sorted(s for s in secrets if len(s) > 12 and s not in generic and not s.startswith("#"))


def json_strings(value):
    """Every string in a JSON document (keys and values), so escaping cannot hide a line."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *json_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in json_strings(v)]
    return [value] if isinstance(value, str) else []


def whole_json_text(path):
    """The notebook's JSON as text, and again with every string decoded, cells and metadata alike."""
    text = Path(path).read_text(encoding="utf-8")
    return text + "\n" + "\n".join(json_strings(json.loads(text)))


def answer_cells(nb):
    """The cells of a student notebook that the student fills in, in order."""
    return [c for c in nb.cells if ANSWER_TAG in c.metadata.get("tags", [])]


def fill(student, questions, sources=None):
    """A copy of the student notebook with each question's cells set to ``sources[name]`` (a list,
    one source per slot), or to the instructor's answers for questions not in ``sources``."""
    nb = nbformat.reads(nbformat.writes(student), as_version=4)
    cells, slots = answer_cells(nb), [(q, s) for q in questions for s in range(len(q.slots))]
    assert len(cells) == len(slots), f"{len(cells)} answer cells for {len(slots)} answers"
    for cell, (question, i) in zip(cells, slots):
        cell.source = (sources or {}).get(question.name, question.slots)[i]
    return nb


def wrong_answer(source, function):
    """The answer ``source``, then ``function`` redefined to return something else (tensors scaled)."""
    return (
        f"{source}\n\n\n_right_{function} = {function}\n\n\n"
        f"def _off(value):\n"
        f"    if isinstance(value, (tuple, list)):\n"
        f"        return type(value)(_off(v) for v in value)\n"
        f"    return value * 1.5 + 0.25\n\n\n"
        f"def {function}(*args):\n"
        f"    return _off(_right_{function}(*args))\n"
    )


def copied_answer(function, numbers):
    """``function`` that ignores its inputs and returns ``numbers``: the values of one example."""
    listed = np.asarray(numbers, dtype=np.float64).tolist()
    body = f"    return d2l.tensor(np.array({listed!r}, 'float32'))\n"
    return f"import numpy as np\n\n\ndef {function}(*args):\n{body}"


def shortcut_answer(function, library_function):
    """``function`` that hands its arguments to the library function the question refuses."""
    return f"import rnn_guide\n\n\ndef {function}(*args):\n    return {library_function}(*args)\n"


class ThisPython(KernelSpecManager):
    """Kernels run on this interpreter (the tox env's), whatever kernels Jupyter has registered."""

    def get_kernel_spec(self, kernel_name):
        return self.kernel_spec_class(
            resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
        )


def execute(nb, folder, timeout=900):
    """Run ``nb`` with ``folder`` as its working folder; return ``[(cell source, output text)]``.

    Fails on any cell that raised: a notebook as handed out must run top to bottom.
    """
    manager = KernelManager(kernel_name="python3", kernel_spec_manager=ThisPython())
    client = NotebookClient(
        nb, km=manager, timeout=timeout, allow_errors=True, resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    ran = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"cell raised {errors[0].ename}: {errors[0].evalue}\n{cell.source}"
        text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        ran.append((cell.source, text))
    return ran


def feedback_outputs(ran):
    """``[(questions whose feedback the cell calls, the lines it printed)]`` from :func:`execute`."""
    return [
        (FEEDBACK_CALL.findall(source), text.strip().splitlines())
        for source, text in ran
        if FEEDBACK_CALL.search(source)
    ]
