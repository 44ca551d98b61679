"""The Time Machine pipeline: the packaged text and its override, preprocessing, vocabulary, batches."""

import hashlib
import re
import socket
from importlib import resources

import numpy as np
import pytest

from rnn_guide import RNNGuideError, data
from rnn_guide.data import SHA1, TimeMachine, Vocab, preprocess, read_time_machine

PACKAGED = resources.files("rnn_guide") / "texts" / "timemachine.txt"


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("The Time Machine must be read without network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture(scope="module")
def book():
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


def test_the_package_ships_the_book():
    content = PACKAGED.read_bytes()
    assert len(content) == 178979
    assert hashlib.sha1(content).hexdigest() == SHA1 == "090b5e7e70c295757f55df93cb0a180b9691891a"
    assert content.startswith(b"The Time Machine, by H. G. Wells [1898]")


def test_the_packaged_copy_is_read_without_network_or_variable(monkeypatch, no_network):
    monkeypatch.delenv("RNN_GUIDE_DATA_DIR", raising=False)
    assert read_time_machine() == PACKAGED.read_bytes().decode("utf-8")
    assert len(TimeMachine().vocab) == 28
    assert read_time_machine(environ={}) == read_time_machine(environ={"RNN_GUIDE_DATA_DIR": ""})
    assert not any(name.startswith("urllib") for name in vars(data))  # no download code left


def test_the_override_folder_is_read_and_verified(monkeypatch, tmp_path, no_network):
    (tmp_path / "timemachine.txt").write_bytes(PACKAGED.read_bytes())
    assert read_time_machine(environ={"RNN_GUIDE_DATA_DIR": str(tmp_path)}) == read_time_machine(environ={})
    (tmp_path / "timemachine.txt").write_text("a damaged copy")
    with pytest.raises(RNNGuideError) as info:
        read_time_machine(environ={"RNN_GUIDE_DATA_DIR": str(tmp_path)})
    found = hashlib.sha1(b"a damaged copy").hexdigest()
    message = str(info.value)
    assert f"{tmp_path / 'timemachine.txt'} has sha1 {found}, expected {SHA1}" in message
    assert "unset RNN_GUIDE_DATA_DIR to use the copy inside the package" in message
    monkeypatch.setenv("RNN_GUIDE_DATA_DIR", str(tmp_path))  # the environment, by default
    with pytest.raises(RNNGuideError, match=f"has sha1 {found}, expected {SHA1}"):
        TimeMachine()


def test_the_override_folder_must_hold_the_file(tmp_path):
    with pytest.raises(RNNGuideError) as info:
        read_time_machine(environ={"RNN_GUIDE_DATA_DIR": str(tmp_path)})
    assert str(info.value) == (
        f"RNN_GUIDE_DATA_DIR={tmp_path} names a folder with no timemachine.txt: expected d2l's text "
        f"(sha1 {SHA1}) at {tmp_path / 'timemachine.txt'}; unset RNN_GUIDE_DATA_DIR to use the copy "
        "inside the package."
    )


@pytest.mark.parametrize("kind", ["missing", "a file"])
def test_data_dir_var_must_name_a_folder(monkeypatch, tmp_path, kind):
    folder = tmp_path / "dat"  # a typo for "data"
    if kind == "a file":
        folder.write_text("")
    monkeypatch.setenv("RNN_GUIDE_DATA_DIR", str(folder))
    state = "does not exist" if kind == "missing" else "is not a folder"
    message = f"RNN_GUIDE_DATA_DIR={re.escape(str(folder))} names a folder that {state}. Check the spelling"
    with pytest.raises(RNNGuideError, match=message):
        TimeMachine()
    with pytest.raises(RNNGuideError, match=message):
        read_time_machine()
    assert (folder.exists(), folder.is_dir()) == ((False, False) if kind == "missing" else (True, False))


def test_a_missing_packaged_copy_says_how_to_recover(monkeypatch, tmp_path):
    monkeypatch.setattr(data.resources, "files", lambda package: tmp_path)
    with pytest.raises(
        RNNGuideError,
        match=r"inside the package is missing .*; reinstall rnn_guide, or set RNN_GUIDE_DATA_DIR",
    ):
        read_time_machine(environ={})


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


def test_vocab_roundtrip_from_tokens():
    vocab = Vocab("hello world")
    again = Vocab.from_tokens_list(vocab.idx_to_token)
    assert again.encode("low") == vocab.encode("low") and len(again) == len(vocab)


def test_a_text_file_reads_line_ends_as_open_does(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_bytes(b"one\r\ntwo\rthree\n" * 200)
    raw = TimeMachine(batch_size=4, num_steps=5, num_train=500, num_val=100, path=path, raw=True)
    assert raw.text == "one\ntwo\nthree\n" * 200 == path.read_text()


def test_the_override_is_read_only_when_it_is_a_regular_file(tmp_path):
    (tmp_path / "timemachine.txt").symlink_to(PACKAGED)  # a link to the real book is fine
    assert read_time_machine(environ={"RNN_GUIDE_DATA_DIR": str(tmp_path)}) == PACKAGED.read_text()
