"""The state directory of `gen dev --state DIR`, held by one `gen dev` at a time.

`StateDir.open(path)` makes the directory if needed, refuses a path that is a file or cannot be
written (`StateDirError`, one line: `gen dev` exits 2), and takes an exclusive ``flock`` on
``DIR/lock`` (released by `close()` or by the process's death, so a `kill -9` leaves no stale
lock). A second `gen dev` on the same DIR is refused with the holder's pid. Layout:

    DIR/lock               the lock file (holds the pid of the holder)
    DIR/snapshot.jsonl     the last complete snapshot (`capture`), replaced atomically
    DIR/journal/NNNNNNNN.jsonl   journal segments written since (`journal`)
    DIR/blobs/<etag>-<size>      S3 object bodies, one file per distinct body
    DIR/orphans/           what a restore kept out of a table whose key changed (`restore`)
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from generator.errors import UserError


class StateDirError(UserError):
    """--state DIR cannot be used; the message says why (exit 2)."""


class StateDir:
    def __init__(self, path: Path, lock_fd: int) -> None:
        self.path = path
        self._lock_fd: int | None = lock_fd

    @property
    def snapshot(self) -> Path:
        return self.path / "snapshot.jsonl"

    @property
    def journal(self) -> Path:
        return self.path / "journal"

    @property
    def blobs(self) -> Path:
        return self.path / "blobs"

    @property
    def orphans(self) -> Path:
        return self.path / "orphans"

    @classmethod
    def open(cls, path: Path) -> StateDir:
        path = path.expanduser().resolve()
        if path.exists() and not path.is_dir():
            raise StateDirError(f"--state {path}: is a file, not a directory: pass a directory")
        try:
            path.mkdir(parents=True, exist_ok=True)
            for sub in ("journal", "blobs"):
                (path / sub).mkdir(exist_ok=True)
            fd = os.open(path / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StateDirError(
                f"--state {path}: cannot write there ({error.strerror or error}): "
                "pass a directory you can write"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            holder = _read_pid(fd)
            os.close(fd)
            if error.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise StateDirError(
                    f"--state {path}: another gen dev{f' (pid {holder})' if holder else ''} "
                    "is using it: stop it or pass another directory"
                ) from None
            raise StateDirError(f"--state {path}: cannot lock it ({error.strerror})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        if not os.access(path / "journal", os.W_OK) or not os.access(path / "blobs", os.W_OK):
            os.close(fd)
            raise StateDirError(f"--state {path}: cannot write there: pass a directory you can write")
        return cls(path, fd)

    def close(self) -> None:
        """Release the lock (idempotent)."""
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None


def _read_pid(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""
