"""Files on disk: written whole or not at all, and read with care when anyone may have made them.

**Writing**, so that readers see the whole old file or the whole new one, never a part: the data
goes to a ``.<name>.<random>.part`` file in the target's folder, is flushed to disk and renamed
over the target. A new file gets ``0o666`` less the umask, as ``open()`` gives; a replaced file
keeps its mode. A save in progress locks its ``.part`` file, so :func:`remove_leftovers` (run
before the next save to the same path) removes only the leftovers of killed saves. Checkpoints
and the notebooks that ``rnn-guide notebooks`` writes use it. :func:`check_destination` runs the
checks on a destination alone, before long work.

**Reading** a file that anyone may have made: :func:`cannot_read` words the error of a file the
system will not let us read, :func:`read_header` reads a safetensors header for an error
message, and :func:`nested_deeper_than` measures the nesting of JSON text before it is parsed.
"""

import contextlib
import json
import os
import re
import tempfile

import numpy as np

from .errors import RNNGuideError

try:  # POSIX: a save in progress locks its .part file, so a cleanup never takes a live one
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted, which protects it the same way
    fcntl = None

# A JSON string literal, escapes included; one left open runs to the end of the text (never backtracks).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # as int8: +1, +1, -1, -1
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[{]}")  # UTF-8 keeps them one byte each


def remove_leftovers(target):
    """Remove the ``.part`` files of killed saves to ``target`` (those whose lock nobody holds)."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{16}}\.part")
    for entry in os.scandir(target.parent):
        if not (pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)):
            continue
        with contextlib.suppress(OSError):
            if fcntl is None:  # Windows: this fails while a save has the file open
                os.remove(entry.path)
                continue
            fd = os.open(entry.path, os.O_RDONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while a save writes it
                os.remove(entry.path)
            finally:
                os.close(fd)


def _open_part(target):
    """A new, locked ``.part`` file beside ``target``, created with mode 0o666 less the umask."""
    while True:
        part = target.parent / f".{target.name}.{os.urandom(8).hex()}.part"
        try:
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        if os.fstat(fd).st_nlink > 0:  # not removed by a cleanup that came before the lock
            return fd, part
        os.close(fd)


def write_atomically(target, data, action="write"):
    """Write ``data`` to a ``.part`` file, flush it to disk, and rename it over ``target``.

    A new file gets ``0o666`` less the umask (as ``open()`` gives); a replaced file keeps its mode.
    Errors say ``cannot {action} {target}: ...``.
    """
    mode = target.stat().st_mode & 0o777 if target.is_file() else None
    part = None
    try:
        fd, part = _open_part(target)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            if mode is not None:  # a replaced file keeps its mode
                os.chmod(part, mode)
            if fcntl is not None:  # POSIX: rename while the lock is held
                os.replace(part, target)
        if fcntl is None:  # Windows renames closed files only
            os.replace(part, target)
        part = None
    except OSError as err:
        raise RNNGuideError(f"cannot {action} {target}: {err.strerror or err}") from None
    finally:
        if part is not None:
            with contextlib.suppress(OSError):
                os.remove(part)


def check_destination(path):
    """Check that a file can be written at ``path`` (a Path), without writing it; return ``path``.

    The folder must exist, be a folder and let us create a file in it; ``path`` must not be a
    directory, a special file, or an existing read-only file (refused rather than replaced).

    Raises:
        RNNGuideError: ``cannot save to {path}: ...``, naming the reason.
    """
    fail = f"cannot save to {path}"
    try:
        if path.is_dir():
            raise RNNGuideError(f"{fail}: it is a directory, expected a file name such as model.safetensors")
        if os.path.lexists(path) and not path.is_file():
            raise RNNGuideError(f"{fail}: it exists and is not a regular file")
        folder = path.parent
        if not folder.exists():
            raise RNNGuideError(f"{fail}: the folder {folder} does not exist")
        if not folder.is_dir():
            raise RNNGuideError(f"{fail}: {folder} is not a folder")
        mode = path.stat().st_mode & 0o777 if path.is_file() else None
        if mode is not None and not (mode & 0o222 and os.access(path, os.W_OK)):
            raise RNNGuideError(f"{fail}: the file is read-only (mode {mode:o}); make it writable first")
        with tempfile.TemporaryFile(dir=folder):  # can a file be created there? (nothing left behind)
            pass
    except OSError as err:
        raise RNNGuideError(f"{fail}: {err.strerror or err}") from None
    return path


def cannot_read(path, err):
    """The one-line message for ``path`` that could not be opened or read because of ``err``.

    Args:
        path: the file (or the folder on its way) that the system refused.
        err: the ``OSError`` raised; a ``PermissionError`` reads "permission denied".

    Returns:
        ``'cannot read {path}: {reason}'``.
    """
    reason = "permission denied" if isinstance(err, PermissionError) else (err.strerror or str(err))
    return f"cannot read {path}: {reason}"


def read_header(path, max_bytes=100_000_000):
    """The first 8 bytes of a safetensors file and its JSON header as a dict (``{}`` if unreadable).

    Used to explain why a file was refused; a header longer than ``max_bytes`` (safetensors' own
    limit), not JSON, or nested deeper than 64 levels reads as ``{}``.
    """
    head, header = b"", None
    with contextlib.suppress(OSError, ValueError), open(path, "rb") as f:
        head = f.read(8)
        size = int.from_bytes(head, "little") if len(head) == 8 else 0
        text = f.read(size).decode() if 0 < size <= max_bytes else "null"
        header = None if nested_deeper_than(text, 64) else json.loads(text)
    return head, header if isinstance(header, dict) else {}


def nested_deeper_than(text, limit):
    """Whether JSON ``text`` nests lists and objects more than ``limit`` deep, found without parsing.

    A parser recurses once per list or object it enters, so the nesting is the highest point of a
    running count: +1 at each ``[`` or ``{``, -1 at each ``]`` or ``}``, string literals left out
    (a bracket inside a string nests nothing). The count runs in NumPy over the brackets alone, a
    million at a time, so 100,000 nested lists (or an unclosed ``[[[[...``) cost no recursion.

    Args:
        text: the JSON text (a str).
        limit: the deepest nesting allowed; ``[1]`` and ``{"a": 1}`` nest 1 deep, ``[[1]]`` 2.

    Returns:
        True if ``text`` nests deeper than ``limit``.
    """
    data = _JSON_STRING.sub("", text).encode("utf-8", "surrogatepass")
    steps = np.frombuffer(data.translate(_BRACKET_STEPS, _NOT_BRACKETS), np.int8)  # +1 or -1 each
    depth = 0
    for start in range(0, len(steps), 1 << 20):
        running = depth + np.cumsum(steps[start : start + (1 << 20)], dtype=np.int64)
        if running.max() > limit:
            return True
        depth = int(running[-1])
    return False
