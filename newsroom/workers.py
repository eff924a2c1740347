"""Worker processes of a build: forked where the system can fork, and ending with it.

Forked workers inherit what the build has read and made rather than receive it; only
the work items and the results travel. A pool's workers wait on a pipe that they hold
open themselves, so a build killed outright (kill -9, the out-of-memory killer, a CI
job's time limit) would leave them waiting for ever, each holding its copy of the
site. Each worker therefore asks the kernel, first thing, to be killed when the build
ends (a request Linux offers; elsewhere only a worker started after the build ended
notices).
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from typing import Any

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

CAN_FORK = "fork" in multiprocessing.get_all_start_methods()


def context() -> BaseContext:
    """How pools start their workers: forked where the system can fork."""
    return multiprocessing.get_context("fork" if CAN_FORK else None)


def die_with(parent: int) -> None:
    """To be run first in a worker started by the process ``parent``: the worker is
    killed when ``parent`` ends, and ends at once if it has ended already."""
    prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the request was made
        os._exit(1)


@contextmanager
def _frozen() -> Iterator[None]:
    """For forking: this process's memory is frozen (``gc.freeze``), so that the
    children's collector leaves it shared rather than copying it page by page, and
    its buffered output is flushed, which a child would otherwise write again as it
    exits."""
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def forked_map(function: Callable[[Any], Any], items: Iterable[Any], jobs: int, chunksize: int = 1) -> Iterator[Any]:
    """``function`` of each of ``items``, in order, in ``jobs`` forked workers (only where
    ``CAN_FORK``), with this process's memory frozen meanwhile (``_frozen``)."""
    with _frozen(), multiprocessing.get_context("fork").Pool(jobs, die_with, (os.getpid(),)) as pool:
        yield from pool.imap(function, items, chunksize)


class ForkedCall:
    """``function()`` run in a forked process while this one goes on (only where
    ``CAN_FORK``): ``result`` waits for what it returns, or raises what it raised;
    ``cancel`` ends it if its result is no longer wanted. Either must be called: the
    process is not a daemon (it may start workers of its own), and an interpreter waits
    for such processes before it exits."""

    def __init__(self, function: Callable[[], Any]):
        fork = multiprocessing.get_context("fork")
        self._receiver, sender = fork.Pipe(duplex=False)
        self._process = fork.Process(target=_call, args=(function, sender, os.getpid()))
        with _frozen():
            self._process.start()
        sender.close()  # the child's end: reading gets EOF if the child dies

    def result(self) -> Any:
        """What ``function`` returned, once it has; what it raised is raised here."""
        try:
            outcome = self._receiver.recv()
        except EOFError:
            outcome = None
        finally:
            self.cancel()
        if outcome is None:
            raise RuntimeError(f"a worker process ended without a result (exit code {self._process.exitcode})")
        succeeded, value = outcome
        if not succeeded:
            raise value
        return value

    def cancel(self) -> None:
        """End the process, if it is still running, and release it."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._receiver.close()


def _call(function: Callable[[], Any], sender: Any, parent: int) -> None:
    die_with(parent)
    try:
        outcome = True, function()
    except BaseException as error:  # noqa: BLE001 - raised again in the parent
        outcome = False, error
    try:
        sender.send(outcome)
    except Exception as error:  # noqa: BLE001 - what does not pickle is told as text
        told = outcome[1] if not outcome[0] else error
        sender.send((False, RuntimeError("".join(traceback.format_exception(told)))))
    sender.close()
