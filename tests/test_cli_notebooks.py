"""rnn-guide notebooks DIR [--student] [--force]: the packaged notebooks written into a folder."""

import json
from pathlib import Path

import pytest

from rnn_guide import RNNGuideError, _cli
from rnn_guide._cli import main, notebook_source, write_notebooks

ROOT = Path(__file__).resolve().parents[1]
IN_REPO = sorted((ROOT / "rnn_guide" / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def fake_notebooks(folder, names=("01_a.ipynb", "02_b.ipynb")):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(json.dumps({"cells": [], "name": name}))
    (folder / "README.md").write_text("not a notebook")
    return folder


def test_writes_the_instructor_notebooks_and_says_what_next(tmp_path, capsys):
    dest = tmp_path / "course" / "nb"  # created, parents included
    assert main(["notebooks", str(dest)]) == 0
    written = sorted(dest.iterdir())
    assert [p.name for p in written] == [p.name for p in IN_REPO]
    for ours, theirs in zip(written, IN_REPO):
        assert ours.read_bytes() == theirs.read_bytes()  # the installed package holds the notebooks
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"wrote {len(IN_REPO)} notebooks (instructor notebooks, answers in) to {dest}:"
    assert out[1:-1] == [f"  {dest / p.name}" for p in IN_REPO]
    assert out[-1] == f"next: jupyter lab {dest / '01_no_hidden_state.ipynb'}"


def test_existing_notebooks_are_kept_unless_forced(tmp_path, capsys):
    dest = tmp_path / "nb"
    assert main(["notebooks", str(dest)]) == 0
    first, second = sorted(dest.iterdir())[:2]
    first.write_text("my own work")
    second.unlink()
    capsys.readouterr()
    assert main(["notebooks", str(dest)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert f"notebooks: {dest} already holds {first.name}, " in err
    assert second.name not in err and "pass --force to overwrite them" in err
    assert first.read_text() == "my own work" and not second.exists()  # nothing written
    assert main(["notebooks", str(dest), "--force"]) == 0
    assert first.read_bytes() == IN_REPO[0].read_bytes() and second.exists()


def test_student_editions_come_from_their_own_folder(tmp_path, monkeypatch, capsys):
    student = fake_notebooks(tmp_path / "student")
    monkeypatch.setattr(_cli, "notebook_source", lambda student_edition=False: student)
    assert main(["notebooks", str(tmp_path / "nb"), "--student"]) == 0
    assert sorted(p.name for p in (tmp_path / "nb").iterdir()) == ["01_a.ipynb", "02_b.ipynb"]
    out = capsys.readouterr().out
    assert "wrote 2 notebooks (student editions) to" in out
    assert out.splitlines()[-1] == f"next: jupyter lab {tmp_path / 'nb' / '01_a.ipynb'}"


def test_the_student_folder_is_inside_the_notebooks_folder():
    assert notebook_source(True) == notebook_source() / "student"
    assert notebook_source().is_dir()


def test_no_notebooks_at_the_source_is_an_error(tmp_path):
    with pytest.raises(RNNGuideError, match=r"no notebooks \(NN_\*\.ipynb\) in .*missing: this installation"):
        write_notebooks(tmp_path / "nb", tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(RNNGuideError, match="no notebooks"):
        write_notebooks(tmp_path / "nb", empty)
    assert not (tmp_path / "nb").exists()


def test_a_file_in_place_of_the_folder_is_one_line_and_code_2(tmp_path, capsys):
    target = tmp_path / "nb"
    target.write_text("")
    assert main(["notebooks", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == f"rnn-guide: error: notebooks: DIR must be a folder, received {target}, which is a file\n"


def test_dir_is_required(capsys):
    with pytest.raises(SystemExit) as info:
        main(["notebooks"])
    assert info.value.code == 2
    assert "the following arguments are required: DIR" in capsys.readouterr().err


def test_write_notebooks_returns_the_paths(tmp_path):
    source = fake_notebooks(tmp_path / "src", names=("02_b.ipynb", "01_a.ipynb"))
    paths = write_notebooks(tmp_path / "out", source)
    assert paths == [tmp_path / "out" / "01_a.ipynb", tmp_path / "out" / "02_b.ipynb"]
    assert json.loads(paths[1].read_text())["name"] == "02_b.ipynb"
