"""Progress reports for long jobs (hashing a folder), safe to call from worker threads.

A job reports the bytes it has done by calling ``tick(n)``. What the ticks
drive is the caller's choice: nothing, a function of theirs, or a progress bar
on standard error. The bar needs the optional ``progress`` extra (tqdm), is
imported only when it is drawn, and is drawn only when standard error is a
terminal; without tqdm, or in a pipe, a log file or CI, the job is quiet.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["Progress", "reporting"]

Progress = bool | Callable[[int], None]
"""``False``: quiet; ``True``: a bar on a terminal; a callable: called with byte counts."""


def _stderr_is_a_terminal() -> bool:
    stream = sys.stderr
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError, OSError):  # replaced by an object without isatty, or closed
        return False


def _bar(total: int, what: str) -> Any | None:
    if not _stderr_is_a_terminal():
        return None
    try:  # the optional extra, imported only when a bar is drawn
        tqdm = importlib.import_module("tqdm").tqdm
    except ImportError:
        return None
    return tqdm(
        total=total,
        desc=what,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
    )


@contextlib.contextmanager
def reporting(progress: Progress, total: int, what: str) -> Iterator[Callable[[int], None]]:
    """Yield ``tick(n)`` for a job of ``total`` bytes; ``what`` labels the bar.

    The ticks are serialised by a lock, so a caller's function is never run
    by two threads at once.
    """
    if progress is False:
        yield _ignore
        return
    lock = threading.Lock()
    if callable(progress):
        report = progress

        def tick_function(n: int) -> None:
            with lock:
                report(n)

        yield tick_function
        return
    bar = _bar(total, what)
    if bar is None:
        yield _ignore
        return
    update = bar.update

    def tick_bar(n: int) -> None:
        with lock:
            update(n)

    try:
        yield tick_bar
    finally:
        bar.close()


def _ignore(_: int) -> None:
    return None
