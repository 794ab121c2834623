"""The suite's once-per-run renders and builds are made once only if the tests sharing them run
in one process: conftest.py marks them with pytest-xdist's ``xdist_group`` and the suite runs
with ``--dist loadgroup``. Two things broke that silently and are checked here on a small suite
of its own: xdist reads the marks in a hook that runs before a conftest's unless the conftest's
is ``tryfirst``; and pytest 9 ignores the node id xdist 3.8 rewrites to group by (pinned <9)."""

from __future__ import annotations

import subprocess
import sys

CONFTEST = """
import pytest

@pytest.fixture(scope="session")
def shared():
    return 1

@pytest.hookimpl(tryfirst=True)  # as tests/conftest.py marks its groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        if "shared" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("shared"))
"""

TESTS = """
import os

def record(name):
    with open("workers.txt", "a") as f:
        f.write(f"{name} {os.environ['PYTEST_XDIST_WORKER']}\\n")

def test_a(shared): record("grouped")
def test_b(shared): record("grouped")
def test_c(shared): record("grouped")
def test_d(shared): record("grouped")
def test_e(): record("free")
def test_f(): record("free")
"""


def test_tests_sharing_a_session_fixture_run_in_one_process(tmp_path):
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_probe.py").write_text(TESTS)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-n", "2", "--dist", "loadgroup", "-c", "/dev/null",
                           "--rootdir", str(tmp_path), str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = [line.split() for line in (tmp_path / "workers.txt").read_text().splitlines()]
    grouped = {worker for name, worker in rows if name == "grouped"}
    assert len(rows) == 6 and len(grouped) == 1, rows
