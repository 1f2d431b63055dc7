"""Ctrl-C while the language model is being retried: the command stops at once, exit 130,
no traceback, and the project is as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import snapshot, storycore_executable
from .openai_stub import OpenAIStub

pytestmark = pytest.mark.slow


def test_ctrl_c_during_retries_exits_130_at_once(film: Path, openai_stub: OpenAIStub) -> None:
    for _ in range(20):
        openai_stub.reply_error(503, "overloaded")
    before = snapshot(film)
    env = {
        **os.environ,
        "OPENAI_BASE_URL": openai_stub.base_url,
        "STORYCORE_MAX_RETRIES": "10",
        "STORYCORE_TIMEOUT": "120",
    }
    process = subprocess.Popen(
        [storycore_executable(), "feedback", str(film), "make shot 2 a close-up", "--yes"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not openai_stub.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert openai_stub.requests, "the command never called the model"
    time.sleep(0.3)  # now waiting between retries
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    try:
        _out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert time.monotonic() - sent < 3.0
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted" in err
    assert snapshot(film) == before
    assert len(openai_stub.requests) <= 2  # no retry after Ctrl-C
