"""The Time Machine pipeline: download and verification, preprocessing, vocabulary, batches."""

import os
import re
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest

from rnn_guide import RNNGuideError, data
from rnn_guide.data import SHA1, TimeMachine, Vocab, data_dir, download_time_machine, preprocess

SHARED = Path(os.environ.get("RNN_GUIDE_DATA_DIR", Path(__file__).parents[2] / "shared" / "data"))
BOOK = SHARED / "timemachine.txt"


@pytest.fixture(scope="module")
def book():
    if not BOOK.exists():
        pytest.fail(f"the verified copy of The Time Machine is expected at {BOOK} (set RNN_GUIDE_DATA_DIR)")
    return TimeMachine()


def test_preprocess_like_the_book():
    assert preprocess("The Time-Machine, by H. G. Wells!\n\n") == "the time machine by h g wells "


def test_vocab_of_the_book(book):
    assert len(book.vocab) == 28
    assert book.vocab.idx_to_token[:3] == [" ", "<unk>", "a"]
    assert book.vocab.idx_to_token[-1] == "z"
    ids = book.vocab.encode("time traveller")
    assert book.vocab.decode(ids) == "time traveller"
    assert book.vocab["?"] == book.vocab.unk == 1
    assert book.vocab.unknown_chars("abc?!") == ["!", "?"]
    assert book.text.startswith("the time machine by h g wells ")
    assert len(book.corpus) == len(book.text)


def test_machin_gives_achine(book):
    i = book.text.index("machine")
    X, Y = book.window(i)
    assert book.vocab.decode(X[:6]) == "machin"
    assert book.vocab.decode(Y[:6]) == "achine"


def test_random_batches_cover_the_training_windows_once(book):
    batches = list(book.train_batches(np.random.default_rng(0)))
    assert len(batches) == 10  # 10,000 windows in batches of 1,024: one epoch is 10 batches
    assert [X.shape for X, _ in batches] == [(1024, 32)] * 9 + [(784, 32)]
    X = np.concatenate([X for X, _ in batches])
    Y = np.concatenate([Y for _, Y in batches])
    np.testing.assert_array_equal(X[:, 1:], Y[:, :-1])  # targets are inputs shifted by one
    # every training window exactly once
    expected = np.stack([book.corpus[i : i + 32] for i in range(10000)])
    assert len(X) == 10000
    np.testing.assert_array_equal(np.unique(X, axis=0), np.unique(expected, axis=0))
    again = list(book.train_batches(np.random.default_rng(0)))
    np.testing.assert_array_equal(again[0][0], batches[0][0])  # seeded shuffling repeats
    other = next(iter(book.train_batches(np.random.default_rng(1))))
    assert not np.array_equal(other[0], batches[0][0])


def test_validation_windows_follow_the_training_ones(book):
    batches = list(book.val_batches())
    assert [X.shape[0] for X, _ in batches] == [1024] * 4 + [904]
    np.testing.assert_array_equal(batches[0][0][0], book.corpus[10000:10032])


def test_sequential_batches_continue_each_other():
    data = TimeMachine(batch_size=16, num_steps=8)
    batches = list(data.train_batches(np.random.default_rng(0), "sequential"))
    assert len(batches) > 10
    for (X1, Y1), (X2, _) in zip(batches, batches[1:]):
        assert X1.shape == X2.shape == (16, 8)
        np.testing.assert_array_equal(X2[:, 0], Y1[:, -1])  # row b goes on where it stopped
    with pytest.raises(RNNGuideError, match=r"sequential partitioning .* use batch_size <= \d+"):
        next(TimeMachine(batch_size=1024, num_steps=32).train_batches(None, "sequential"))


def test_user_text(tmp_path):
    text = "Hello, world! " * 100
    data = TimeMachine(batch_size=4, num_steps=5, num_train=500, num_val=100, text=text)
    assert data.vocab.idx_to_token == [" ", "<unk>", "d", "e", "h", "l", "o", "r", "w"]
    raw = TimeMachine(batch_size=4, num_steps=5, num_train=500, num_val=100, text=text, raw=True)
    assert "H" in raw.vocab.idx_to_token and "!" in raw.vocab.idx_to_token
    path = tmp_path / "mine.txt"
    path.write_text(text)
    assert TimeMachine(batch_size=4, num_steps=5, num_train=500, num_val=100, path=path).text == data.text
    with pytest.raises(
        RNNGuideError, match=r"the text has 1200 characters, so 1168 windows of 33.*needs 15032 characters"
    ):
        TimeMachine(text=text)
    with pytest.raises(RNNGuideError, match="cannot read the text file"):
        TimeMachine(path=tmp_path / "missing.txt")
    with pytest.raises(RNNGuideError, match="batch_size must be a positive integer, received 0"):
        TimeMachine(batch_size=0, text=text)


def test_data_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("RNN_GUIDE_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
    monkeypatch.delenv("RNN_GUIDE_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert data_dir() == tmp_path / "cache" / "rnn_guide"


def test_present_file_is_used_without_network(tmp_path):
    shutil.copy(BOOK, tmp_path / "timemachine.txt")
    assert download_time_machine(tmp_path, urls=()) == tmp_path / "timemachine.txt"


def test_download_verifies_then_renames(tmp_path):
    path = download_time_machine(tmp_path / "cache", urls=(BOOK.resolve().as_uri(),))
    assert path.name == "timemachine.txt" and path.stat().st_size == 178979
    assert sorted(p.name for p in path.parent.iterdir()) == ["timemachine.txt"]


def test_the_downloaded_text_gets_the_usual_file_mode(tmp_path):
    """Like open(): 0o666 less the umask, so a data folder shared by a class stays readable."""
    old = os.umask(0o022)
    try:
        path = download_time_machine(tmp_path / "cache", urls=(BOOK.resolve().as_uri(),))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_wrong_download_leaves_nothing(tmp_path):
    fake = tmp_path / "fake.txt"
    fake.write_text("not the book")
    cache = tmp_path / "cache"
    with pytest.raises(RNNGuideError, match=f"expected {SHA1}.*Put a copy of d2l's timemachine.txt"):
        download_time_machine(cache, urls=(fake.as_uri(),))
    assert not cache.exists()  # verified in memory first: not even an empty folder
    download_time_machine(tmp_path, urls=(fake.as_uri(), BOOK.resolve().as_uri()))  # the next URL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake.txt", "timemachine.txt"]


def test_offline_error_says_where_to_put_the_file(tmp_path):
    with pytest.raises(RNNGuideError, match=r"could not download.*Put a copy .* at .*timemachine.txt"):
        download_time_machine(tmp_path, urls=("http://127.0.0.1:9/timemachine.txt",), timeout=2)
    assert list(tmp_path.iterdir()) == []


class _Book:
    """Stands in for the response of urlopen: the verified copy, with no network."""

    def __init__(self, url, timeout=None):
        self.url = url

    def read(self):
        return BOOK.read_bytes()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _offline(url, timeout=None):
    raise data.urllib.error.URLError("no network in this test")


def test_default_cache_is_created_only_by_a_successful_download(monkeypatch, tmp_path):
    monkeypatch.delenv("RNN_GUIDE_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache = tmp_path / "xdg" / "rnn_guide"
    with pytest.raises(RNNGuideError, match="could not download"):
        download_time_machine(urls=("http://127.0.0.1:9/timemachine.txt",), timeout=2)
    monkeypatch.setattr(data.urllib.request, "urlopen", _offline)
    with pytest.raises(RNNGuideError, match="no network in this test"):
        TimeMachine()
    assert not (tmp_path / "xdg").exists()  # a failed download leaves no empty folder
    monkeypatch.setattr(data.urllib.request, "urlopen", _Book)
    assert len(TimeMachine().vocab) == 28  # the default URLs, answered by the fake
    assert sorted(p.name for p in cache.iterdir()) == ["timemachine.txt"]


@pytest.mark.parametrize("kind", ["missing", "a file"])
def test_data_dir_var_must_name_a_folder(monkeypatch, tmp_path, kind):
    folder = tmp_path / "dat"  # a typo for "data"
    if kind == "a file":
        folder.write_text("")
    monkeypatch.setenv("RNN_GUIDE_DATA_DIR", str(folder))
    monkeypatch.setattr(data.urllib.request, "urlopen", _Book)  # a download would succeed
    state = "does not exist" if kind == "missing" else "is not a folder"
    message = f"RNN_GUIDE_DATA_DIR={re.escape(str(folder))} names a folder that {state}.*Check the spelling"
    with pytest.raises(RNNGuideError, match=message):
        TimeMachine()
    with pytest.raises(RNNGuideError, match=message):
        download_time_machine()
    assert (folder.exists(), folder.is_dir()) == ((False, False) if kind == "missing" else (True, False))
    folder.unlink(missing_ok=True)
    folder.mkdir()
    assert download_time_machine() == folder / "timemachine.txt"  # an existing folder is filled


def test_argument_errors_name_the_argument():
    text = "Hello, world! " * 100
    with pytest.raises(
        RNNGuideError, match="TimeMachine: num_val must be a non-negative integer, received -1"
    ):
        TimeMachine(num_val=-1, text=text)
    with pytest.raises(RNNGuideError, match="num_steps must be a positive integer, received 2.0"):
        TimeMachine(num_steps=2.0, text=text)
    small = TimeMachine(batch_size=4, num_steps=5, num_train=500, num_val=100, text=text)
    with pytest.raises(RNNGuideError, match="partition must be one of 'random', 'sequential', received 'x'"):
        next(small.train_batches(None, "x"))
    with pytest.raises(RNNGuideError, match="timeout must be a positive finite number, received 0"):
        download_time_machine(urls=(), timeout=0)


def test_damaged_file_is_reported(tmp_path):
    (tmp_path / "timemachine.txt").write_text("a damaged copy")
    with pytest.raises(RNNGuideError, match="has sha1 .* expected 090b5e7e.*Delete it"):
        download_time_machine(tmp_path, urls=())


def test_vocab_roundtrip_from_tokens():
    vocab = Vocab("hello world")
    again = Vocab.from_tokens_list(vocab.idx_to_token)
    assert again.encode("low") == vocab.encode("low") and len(again) == len(vocab)
