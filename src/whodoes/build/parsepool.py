"""Parse documents in worker processes and hand them back in order (``--jobs N``).

The build writes the database from one process, one document at a time, in the order of
the plan files.  ``parsed_in_order`` yields each document's stored form (whodoes.build.parsed)
in that order: from the parse store when its key is there, else parsed, by
``jobs`` worker processes (concurrent.futures.ProcessPoolExecutor) or in this process.
Whatever ``jobs`` is, the same bytes come out in the same order, so the database is the
same (tests/test_parallel.py).

* At most ``WINDOW_PER_JOB * jobs`` documents are in flight, so memory stays bounded
  however many documents there are (a worker ahead of the writer waits).
* Workers are forked from the build on Linux (spawned elsewhere), all at once with signals
  held, so that a Ctrl-C never finds one half-started; they ignore Ctrl-C (the build stops
  them and says so once) and exit by themselves when the build is gone (kill -9), so that
  nothing keeps its pipes or the sources folder's lock.
* A pool costs about a second to start (its fork server imports the reader): fewer than ``MIN_FOR_POOL`` documents to
  parse are parsed in this process.

Build path only.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

WINDOW_PER_JOB = 4
MIN_FOR_POOL = 16
PRELOAD = [
    "whodoes.build.parsed",
    "whodoes.build.document.load",
    "whodoes.build.document.text",
    "whodoes.build.parse.document",
    "whodoes.build.infer",
    "whodoes.build.cleanup",
    "whodoes.build.deadlines",
    "whodoes.build.levels",
]


class ParseFailed(Exception):
    """A document that cannot be read (the message names the file)."""


@dataclass
class ParseTask:
    key: str
    path: str
    meta: dict | None
    folder: str
    id: str = ""
    file: str = ""
    bodies: str = ""  # the bodies.toml whose places name a plan's jurisdiction ("" for none)


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def parsed_in_order(tasks: list[ParseTask], store, jobs: int | None, on_parsed=None, replace_ids: bool = False):
    """Yield (task, stored form) for every task, in order (see the module docstring).
    ``store``: a whodoes.build.parsestore.ParseStore or None; what is parsed is put there
    (``replace_ids``, a shard: in place of any other parse of the same document id).
    ``on_parsed(task, pid)`` is called for each document actually parsed (by process pid)."""
    from whodoes.build.parsed import reader_version

    jobs = default_jobs() if not jobs else jobs
    present = store.present([t.key for t in tasks]) if store is not None else set()
    misses = [t for t in tasks if t.key not in present]
    results = _parse(misses, jobs)
    reader = reader_version()
    for t in tasks:
        if t.key in present:
            blob = store.get(t.key)
        else:
            got, blob, error, pid = next(results)
            assert got == t.key, "parses come back in order"
            if error is not None:
                raise ParseFailed(error)
            if store is not None:
                store.put(t.key, t.id, t.file, reader, blob, one_per_id=replace_ids)
            if on_parsed is not None:
                on_parsed(t, pid)
        yield t, blob


def _parse(tasks: list[ParseTask], jobs: int):
    """(key, stored form or None, error or None) per task, in order."""
    from whodoes.build.parsed import parse_task

    if jobs <= 1 or len(tasks) < MIN_FOR_POOL:
        for t in tasks:
            yield parse_task(t.key, t.path, t.meta, t.folder, t.bodies)
        return
    yield from _pool(tasks, min(jobs, len(tasks)))


def _pool(tasks: list[ParseTask], jobs: int):
    from whodoes.build.parsed import parse_task, quiet_worker

    pending = iter(tasks)
    inflight: deque = deque()

    def top_up(executor: ProcessPoolExecutor) -> None:
        while len(inflight) < WINDOW_PER_JOB * jobs:
            t = next(pending, None)
            if t is None:
                return
            inflight.append(executor.submit(parse_task, t.key, t.path, t.meta, t.folder, t.bodies))

    pool = None
    try:
        with _signals_held():  # a Ctrl-C while workers start would leave one starting as the build exits
            pool = ProcessPoolExecutor(
                max_workers=jobs, mp_context=_context(), initializer=quiet_worker, initargs=(os.getpid(),)
            )
            top_up(pool)  # starts every worker (one per submission, up to ``jobs``)
        while inflight:
            result = inflight.popleft().result()
            top_up(pool)
            yield result
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _signals_held():
    """SIGINT and SIGTERM wait (are delivered at the end of the block); main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _context():
    """fork on Linux (workers start at once, with the reader already imported: ``PRELOAD``),
    else spawn."""
    import importlib
    import sys

    if sys.platform.startswith("linux"):
        for name in PRELOAD:
            importlib.import_module(name)
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
