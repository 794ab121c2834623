"""A run's work area cannot be lost to another run, interrupts at any moment are one line and
exit 130, and a full disk is one line with nothing half-written left. The concurrency, signal
and disk cases run `render.py` as real processes."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ALL_SCENES_ARGS
from filelock import FileLock
from processes import reached_first_line

import render
from render import main
from scenes.production.store import RunArea

ROOT = Path(render.__file__).parent
TINY = ["--width", "192", "--fps", "5", "-q", "l", "--set", "race.steps=40", "--set",
        "race.race_time=2", "--set", "saddle.steps=20", "--set", "saddle.race_time=2"]


def start(*argv: str, new_group: bool = False) -> subprocess.Popen:
    # SIGINT given its default disposition, as an interactive user has (see PITFALLS).
    return subprocess.Popen([sys.executable, *argv], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=new_group,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def leftovers(out: Path) -> list[Path]:
    """Half-written files and run folders a finished or stopped run must not leave."""
    runs = out / ".cache" / "runs"
    return [*out.rglob("*.part*"), *(runs.iterdir() if runs.is_dir() else [])]


# --- the run area ---------------------------------------------------------------------------

CHURN = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from scenes.production.store import RunArea
    lost = 0
    for _ in range(int(sys.argv[2])):
        with RunArea(Path(sys.argv[1])) as path:
            time.sleep(0.001)
            lost += not path.is_dir()
    print(lost)
""")


def test_runs_made_and_cleaned_at_once_never_lose_a_live_folder(tmp_path):
    """Four processes each make and remove 150 run areas in one folder; each checks its folder
    is still there while it holds it (the old code lost dozens in 3,000)."""
    procs = [subprocess.Popen([sys.executable, "-c", CHURN, str(tmp_path), "150"], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True) for _ in range(4)]
    assert [int(p.communicate(timeout=300)[0]) for p in procs] == [0, 0, 0, 0]
    assert not any((tmp_path / ".cache" / "runs").iterdir())


PAUSED = textwrap.dedent("""
    import sys, time
    import render
    from scenes.production.store import RunArea
    create = RunArea._create
    def slow(self):
        made = create(self)
        time.sleep(4)  # held between making the folder and rendering into it
        return made
    RunArea._create = slow
    sys.exit(render.main(sys.argv[1:]))
""")


def test_a_run_paused_while_making_its_area_loses_nothing_to_another(tmp_path):
    out = tmp_path / "out"
    paused = start("-c", PAUSED, "render", "race", *TINY, "--jobs", "1", "--quiet",
                   "--out", str(out))
    time.sleep(2)  # the first run is inside its pause
    other = start("render.py", "render", "saddle", *TINY, "--jobs", "1", "--quiet",
                  "--out", str(out))
    errs = [p.communicate(timeout=300)[1] for p in (paused, other)]
    assert [paused.returncode, other.returncode] == [0, 0], errs
    assert len(list(out.glob("race-*.mp4"))) == 1 and len(list(out.glob("saddle-*.mp4"))) == 1
    assert leftovers(out) == []


def test_what_dead_runs_left_is_removed_and_live_runs_are_kept(tmp_path):
    runs = tmp_path / ".cache" / "runs"
    runs.mkdir(parents=True)
    (runs / "1-dead").mkdir()  # its run was killed: the lock is free
    (runs / "1-dead.lock").touch()
    (runs / "2-nolock" / "deck").mkdir(parents=True)  # a run killed before it had a lock
    (runs / "3-lock-only.lock").touch()  # killed between its lock and its folder
    (runs / "4-live").mkdir()
    live = FileLock(runs / "4-live.lock")
    live.acquire(timeout=0)
    try:
        with RunArea(tmp_path) as mine:
            assert sorted(p.name for p in runs.iterdir()) == sorted(
                ["4-live", "4-live.lock", mine.name, f"{mine.name}.lock"])
    finally:
        live.release()
    assert sorted(p.name for p in runs.iterdir()) == ["4-live", "4-live.lock"]


# --- interrupts -----------------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("after", [0.1, 0.5, 1.0])
def test_an_interrupt_at_start_up_is_one_line_and_130(tmp_path, sig, after, cold_cache):
    out = tmp_path / "out"
    proc = start("render.py", "render", "race", *TINY, "--jobs", "1", "--out", str(out))
    reached_first_line(proc)
    time.sleep(after)
    proc.send_signal(sig)
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("render.py: ") and "interrupted" in err
    assert not out.exists() or (leftovers(out) == [] and not list(out.glob("*.mp4")))


def test_ctrl_c_to_the_process_group_while_workers_start(tmp_path):
    """Ctrl-C reaches every process of a terminal's group: the workers print nothing of
    theirs, and no resource-tracker warning follows the run's last line."""
    out = tmp_path / "out"
    proc = start("render.py", "render", "race", "saddle", *TINY, "--jobs", "2", "--out", str(out),
                 new_group=True)
    reached_first_line(proc)
    time.sleep(2.0)  # the workers are starting or rendering
    os.killpg(proc.pid, signal.SIGINT)
    err = proc.communicate(timeout=120)[1]
    time.sleep(1)  # the resource tracker would warn after the parent is gone
    assert proc.returncode in (0, 130), err
    assert "Traceback" not in err and "leaked" not in err and "KeyboardInterrupt" not in err
    assert leftovers(out) == []


def test_an_interrupt_outside_the_render_loop_says_what_stopped(monkeypatch, capsys):
    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "build_facts", stopped)
    assert main(["facts", "race"]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["render.py: render.py facts interrupted; finished files are kept, nothing "
                   "half-written is left"]


# --- a full disk ------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of a given size (root only: skipped otherwise)."""
    mounted = []

    def make(size: str) -> Path:
        folder = tmp_path / f"disk-{size}"
        folder.mkdir()
        if os.geteuid() != 0:
            pytest.skip("mounting a small tmpfs needs root")
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                               str(folder)], capture_output=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(folder)
        return folder

    yield make
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.parametrize("size", ["60k", "400k", "1m"])
def test_a_full_disk_is_one_line_and_nothing_half_written(small_disk, size, cold_cache):
    out = small_disk(size)
    proc = start("render.py", "render", "race", *TINY, "--jobs", "1", "--quiet", "--out",
                 str(out))
    err = proc.communicate(timeout=300)[1]
    # LaTeX's own tools may say "fclose: No space left on device" before our one line.
    ours = [line for line in err.strip().splitlines() if not line.startswith("fclose:")]
    assert proc.returncode == 1, err
    assert len(ours) == 1 and "disk is full" in ours[0] and len(ours[0]) < 300, err
    assert "Traceback" not in err
    assert leftovers(out) == []
    records = out / ".cache" / "records"
    for video in out.glob("*.mp4"):  # nothing published without its record
        assert (records / f"{video.name}.json").is_file()


def test_the_joined_video_on_a_full_disk_is_one_line(small_disk, all_scenes_copy):
    disk = small_disk("32m")  # ten small scenes and their caches
    out = all_scenes_copy(disk)
    fast = [*ALL_SCENES_ARGS, "--jobs", "1", "--quiet", "--out", str(out)]
    filler = out / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True)
    proc = start("render.py", "explainer", *fast)
    err = proc.communicate(timeout=300)[1]
    lines = err.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and "disk is full" in lines[0], err
    assert leftovers(out) == [] and not list(out.glob("explainer-*"))


def test_workers_of_the_console_script_keep_the_pools_own_signal_handling(tmp_path):
    """The adam-animated console script takes interrupts while it imports, as render.py does;
    its spawned workers share its argv but must not: terminate() would make each print
    'interrupted while starting'."""
    script = tmp_path / "console.py"
    script.write_text(textwrap.dedent("""
        import multiprocessing, signal, sys

        def handler():
            import render  # what a worker does first: import the module the pool runs
            return getattr(signal.getsignal(signal.SIGTERM), "__name__", "default")

        if __name__ == "__main__":
            sys.argv[0] = "/usr/local/bin/adam-animated"
            with multiprocessing.get_context("spawn").Pool(1) as pool:
                print(pool.apply(handler))
        """))
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() != "stopped_while_starting", done.stdout
