"""Collect the written (manual) answers of a class into one Markdown file and a score sheet.

    python scripts/collect_written.py rnn_guide/notebooks/07_exercises.ipynb submissions/ --out written

The written questions of a notebook are otter's manual questions (``manual: true`` and ``points``
in ``# BEGIN QUESTION``). Otter exports them for hand grading as a PDF, which needs LaTeX or a
Chromium that Playwright downloads; this collects them with neither. It writes:

- ``written.md``: per question, its prompt, points and the instructor's answer, then every
  submission's answer under the submission's file name, so one question is graded for the whole
  class at a time (open it in Jupyter, VS Code or any Markdown viewer);
- ``written.csv``: one row per submission and question (``file, question, points_possible,
  score``) with the score left blank, to fill in and merge with ``otter grade``'s CSV.

A student notebook marks each manual question as otter writes it: ``<!-- BEGIN QUESTION -->`` at the
top of the prompt and ``<!-- END QUESTION -->`` at the top of the cell after the answer (the comments
otter's own PDF filter reads); the answer is what lies between, less the prompt. The questions are
matched in order with the instructor notebook's manual questions.
"""

import argparse
import csv
import re
import sys
from pathlib import Path

import nbformat
import yaml

BEGIN, END = "<!-- BEGIN QUESTION -->", "<!-- END QUESTION -->"
PLACEHOLDER = "_Type your answer here, replacing this text._"


def manual_questions(instructor):
    """``[(name, points, prompt, answer)]`` of the instructor notebook's manual questions."""
    found, current, block = [], None, None
    for cell in nbformat.read(instructor, as_version=4).cells:
        marker = (
            re.match(r"#\s*(BEGIN|END)\s+(QUESTION|SOLUTION|TESTS)", cell.source)
            if cell.cell_type == "raw"
            else None
        )
        if marker and marker.group(1) == "BEGIN" and marker.group(2) == "QUESTION":
            config = yaml.safe_load(cell.source.split("\n", 1)[1]) or {}
            current = {"name": config["name"], "points": config.get("points"), "prompt": [], "answer": []}
            if config.get("manual"):
                found.append(current)
        elif marker and marker.group(2) == "QUESTION":  # END QUESTION
            current, block = None, None
        elif marker:
            block = marker.group(2) if marker.group(1) == "BEGIN" else None
        elif current is not None and cell.cell_type == "markdown":
            (current["answer"] if block == "SOLUTION" else current["prompt"]).append(cell.source)
    return [(q["name"], q["points"], "\n\n".join(q["prompt"]), "\n\n".join(q["answer"])) for q in found]


def written_answers(submission):
    """The text a student wrote for each manual question, in order."""
    answers, inside = [], False
    for cell in nbformat.read(submission, as_version=4).cells:
        source = cell.source.lstrip()
        if source.startswith(END):
            inside = False
        if source.startswith(BEGIN):
            inside = True
            answers.append([])
            continue  # the prompt
        if inside:
            text = cell.source.strip()
            answers[-1].append(f"```python\n{text}\n```" if cell.cell_type == "code" else text)
    return ["\n\n".join(a for a in parts if a and a != PLACEHOLDER) or "*(no answer)*" for parts in answers]


def collect(instructor, submissions, out):
    """Write ``out.md`` and ``out.csv``; return their paths."""
    questions = manual_questions(instructor)
    if not questions:
        raise SystemExit(f"{instructor} has no manual questions (manual: true)")
    answers = {}
    for path in submissions:
        found = written_answers(path)
        if len(found) != len(questions):
            print(
                f"{path.name}: {len(found)} written answers for {len(questions)} questions", file=sys.stderr
            )
        answers[path.name] = found + ["*(missing: the question's cells were deleted)*"] * (
            len(questions) - len(found)
        )
    lines = [f"# Written answers: {Path(instructor).name}, {len(answers)} submissions", ""]
    for k, (name, points, prompt, solution) in enumerate(questions):
        lines += [
            f"## {name} ({points} points)",
            "",
            prompt,
            "",
            "**Instructor's answer:**",
            "",
            solution,
            "",
        ]
        for file, found in answers.items():
            lines += [f"### {file}", "", found[k], ""]
    md, sheet = Path(f"{out}.md"), Path(f"{out}.csv")
    md.write_text("\n".join(lines), encoding="utf-8")
    with open(sheet, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "question", "points_possible", "score"])
        for file in answers:
            writer.writerows([file, name, points, ""] for name, points, _, _ in questions)
    return md, sheet


def main(argv=None):
    parser = argparse.ArgumentParser(description="Collect the written answers of a class for hand grading.")
    parser.add_argument("instructor", help="the instructor notebook (for the questions and their answers)")
    parser.add_argument("submissions", nargs="+", help="submitted .ipynb files, or folders of them")
    parser.add_argument("--out", default="written", help="output name: writes OUT.md and OUT.csv")
    args = parser.parse_args(argv)
    paths = []
    for given in map(Path, args.submissions):
        paths += sorted(given.glob("*.ipynb")) if given.is_dir() else [given]
    for written in collect(args.instructor, paths, args.out):
        print(written)


if __name__ == "__main__":
    main()
