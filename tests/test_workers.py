"""Work done in another process while the build goes on."""

import os
import time

import pytest

from newsroom.workers import CAN_FORK, ForkedCall

pytestmark = pytest.mark.skipif(not CAN_FORK, reason="the system cannot fork")


def test_a_forked_call_returns_what_the_other_process_computed():
    call = ForkedCall(lambda: (os.getpid(), [n * n for n in range(5)]))
    pid, squares = call.result()
    assert pid != os.getpid() and squares == [0, 1, 4, 9, 16]


def test_what_the_other_process_raised_is_raised_here():
    def fail():
        raise ValueError("خطای کارگر")

    with pytest.raises(ValueError, match="خطای کارگر"):
        ForkedCall(fail).result()


def test_a_cancelled_call_leaves_no_process_behind():
    call = ForkedCall(lambda: time.sleep(60))
    started = time.monotonic()
    call.cancel()
    assert time.monotonic() - started < 5
    assert not call._process.is_alive() and call._process.exitcode is not None


def test_a_result_that_does_not_pickle_is_told_as_an_error():
    with pytest.raises(RuntimeError, match="pickle"):
        ForkedCall(lambda: lambda: None).result()
