"""Progress: a live board of the scenes rendering in parallel on a terminal (a real pty), and
plain lines, without escape codes, when stderr is not a terminal (CI, log files)."""

import os
import pty
import subprocess
import sys
from pathlib import Path

import render

ROOT = Path(render.__file__).parent
ARGS = ["render", "race", "saddle", "--width", "192", "--fps", "5", "--jobs", "2",
        "--set", "race.steps=40", "--set", "saddle.steps=20"]


def test_a_terminal_shows_each_scene_beat_by_beat(tmp_path):
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "render.py", *ARGS, "--out", str(tmp_path)],
                            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    assert proc.wait(timeout=300) == 0
    text = out.decode(errors="replace")
    for key in ("race", "saddle"):
        assert f"{key}       beat " in text or f"{key}     beat " in text
        assert f"rendered:   {tmp_path}/{key}-" in text  # not wrapped: paths stay whole
    assert "done in" in text


def test_logs_stay_plain_when_stderr_is_not_a_terminal(tmp_path):
    proc = subprocess.run([sys.executable, "render.py", *ARGS, "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0
    lines = proc.stderr.splitlines()
    assert "\x1b" not in proc.stderr and "beat" not in proc.stderr
    assert [line.split()[0] for line in lines] == ["rendering:"] * 2 + ["rendered:"] * 2
