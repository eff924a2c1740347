"""Worker processes of a build end with it.

A pool's workers wait on a pipe that they hold open themselves, so a build killed
outright (kill -9, the out-of-memory killer, a CI job's time limit) would leave them
waiting for ever, each holding its copy of the site. Each worker therefore asks the
kernel, first thing, to be killed when the build ends. Where the kernel has no such
request (it is Linux's), this does nothing.
"""

from __future__ import annotations

import ctypes
import os
import signal

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with(parent: int) -> None:
    """To be run first in a worker started by the process ``parent``: the worker is
    killed when ``parent`` ends, and ends at once if it has ended already."""
    prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the request was made
        os._exit(1)
