"""Process tricks, all in one place; none changes what gen reports or writes, only when.

- `paused_gc`: a build allocates millions of short-lived objects and frees them by reference
  counting; the cyclic collector would only re-scan the growing spec and IR.
- `run_as_command` / `end_without_teardown`: a `gen build` that runs as its own process ends
  with `os._exit` after flushing its output: freeing every module and object of a large build
  costs tens of milliseconds and does nothing useful (the writer has renamed its files into
  place; the memos are saved). Its collector stays off from the start, while modules load.
  Never when gen is called in-process (tests, `gen dev`).
- `in_child`: work forked onto the other core (the structural OpenAPI check; `gen review`'s BASE
  side while HEAD is generated), answering through a pipe; refused while the process runs other
  threads (a forked child could inherit a held lock).
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

_own_process = False
_fast_exit = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside the block (left off if it was off already)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_as_command(main: Callable[[], None]) -> NoReturn:
    """Run `main` as the whole of this process and exit with its code (SystemExit's code; a
    string is printed to stderr and exits 1); without teardown after `end_without_teardown`."""
    global _own_process
    _own_process = True
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            sys.stderr.write(exc.code + "\n")
    else:
        code = 0
    if _fast_exit:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def end_without_teardown() -> None:
    """The running command ends this process when it returns: from now on no cyclic collection,
    and no interpreter teardown at the end. Does nothing unless under `run_as_command`."""
    global _fast_exit
    if _own_process:
        gc.disable()
        _fast_exit = True


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def in_child(task: Callable[[], Any], *, pickled: bool = False) -> Callable[[], tuple[Any, bool]]:
    """Run `task` in a forked child (check `can_fork` first); its value must be JSON (or, with
    `pickled`, picklable: IR nodes). The returned function waits for it: (value, True), or
    (None, False) when the child failed."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, never return into the caller's code
        code = 1
        try:
            os.close(read_fd)
            value = task()
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) if pickled \
                else json.dumps(value).encode("utf-8")
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(payload)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)

    def join() -> tuple[Any, bool]:
        with os.fdopen(read_fd, "rb") as pipe:
            payload = pipe.read()  # read to EOF before waiting, or a full pipe would deadlock
        _, status = os.waitpid(pid, 0)
        if status != 0 or not payload:
            return None, False
        # pickle.loads: written by our own child a moment ago
        return (pickle.loads(payload) if pickled else json.loads(payload)), True  # noqa: S301

    return join
