"""The render cache never serves a wrong file, and renders sharing an output folder (at once,
interrupted, killed) cannot break each other. The signal and concurrency cases run
`render.py` as real processes."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest
from conftest import ALL_SCENES_ARGS
from processes import reached_first_line

import render
from render import main
from scenes.production.store import Records

ROOT = Path(render.__file__).parent
TINY = ["--fps", "5", "--set", "race.steps=40", "--set", "race.race_time=2",
        "--set", "saddle.steps=20", "--set", "saddle.race_time=2"]


def videos(out: Path) -> list[Path]:
    return sorted(out.glob("[!.]*.mp4"))


def size_of(video: Path) -> tuple[int, int, int]:
    with av.open(str(video)) as c:
        s = c.streams.video[0]
        for _ in c.decode(s):  # every frame decodes
            pass
        # the nominal rate: a still is stored once, so the average rate is lower
        return s.codec_context.width, s.codec_context.height, round(float(s.guessed_rate))


def size_in_name(video: Path) -> tuple[int, int, int]:
    """``race-default-400x108p5-dark.mp4`` -> (400, 108, 5); ``...-108p5-...`` is 16:9."""
    tag = video.stem.split("-")[2]
    size, fps = tag.split("p")
    w, h = size.split("x") if "x" in size else (None, size)
    h = int(h)
    return (int(w) if w else round(h * 16 / 9 / 2) * 2), h, int(fps)


def test_a_truncated_output_is_rendered_again(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["render", "race", "--width", "192", *TINY, "--out", str(out)]
    assert main([*argv, "--quiet"]) == 0
    [video] = videos(out)
    with video.open("r+b") as fh:
        fh.truncate(1000)
    assert main(argv) == 0
    assert "rendered:" in capsys.readouterr().err
    assert size_of(video) == (192, 108, 5)


def test_width_and_encoder_preset_are_in_the_name(tmp_path):
    out = tmp_path / "out"
    for argv in (["--width", "192", "--height", "108"], ["--width", "400", "--height", "108"],
                 ["--width", "192", "--set", "render.encoder_preset=ultrafast"]):
        assert main(["render", "race", *argv, *TINY, "--quiet", "--out", str(out)]) == 0
    names = [v.name.split("-", 2)[2] for v in videos(out)]
    assert names == ["108p5-dark-ultrafast.mp4", "108p5-dark.mp4", "400x108p5-dark.mp4"]
    assert [size_of(v) for v in videos(out)] == [size_in_name(v) for v in videos(out)]


@pytest.mark.parametrize("damage", [
    lambda p: p.write_text("[]"),
    lambda p: (p.unlink(), p.mkdir()),
    lambda p: p.write_text('{"key": 1, "files": "x"}'),
])
def test_a_damaged_record_means_render_again_not_a_traceback(tmp_path, capsys, damage):
    out = tmp_path / "out"
    argv = ["render", "race", "--width", "192", *TINY, "--out", str(out)]
    assert main([*argv, "--quiet"]) == 0
    [record] = (out / ".cache" / "records").glob("race-*.json")
    damage(record)
    assert main([*argv, "--quiet"]) == 0
    assert json.loads(record.read_text())["files"]
    assert main(argv) == 0
    assert "up to date" in capsys.readouterr().err


def test_the_joined_video_follows_its_parts(all_scenes_copy, capsys, monkeypatch):
    """A part re-rendered after a change of code (here: of the race only) makes `explainer`
    join again, although every part is up to date by then."""
    out = all_scenes_copy()
    argv = [*ALL_SCENES_ARGS, "--jobs", "1", "--out", str(out)]
    assert main(["explainer", *argv, "--quiet"]) == 0
    original = render.cache_key
    monkeypatch.setattr(render, "cache_key", lambda job, fingerprint: original(
        job, fingerprint + ("changed" if job.scene_key == "race" else "")))
    assert main(["render", "race", *argv, "--quiet"]) == 0
    capsys.readouterr()
    assert main(["explainer", *argv]) == 0
    err = capsys.readouterr().err
    assert err.count("up to date:") == len(render.CATALOG) and "joined:" in err


# --- real processes --------------------------------------------------------------------------

def start(out: Path, *argv: str) -> subprocess.Popen:
    # A shell without job control starts background jobs with SIGINT ignored (and Python keeps
    # it ignored): give the child the default disposition, as an interactive user has.
    return subprocess.Popen([sys.executable, "render.py", "render", *argv, *TINY, "--quiet",
                             "--out", str(out)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except FileNotFoundError:
        return False
    return state != "Z"


def wait_until(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_identical_renders_at_once_both_succeed(tmp_path):
    out = tmp_path / "out"
    procs = [start(out, "saddle", "--width", "192") for _ in range(2)]
    errs = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    [video] = videos(out)
    assert size_of(video) == (192, 108, 5)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_parallel_render_takes_its_workers_with_it(tmp_path, sig, cold_cache):
    out = tmp_path / "out"
    proc = start(out, "race", "saddle", "--width", "192", "--jobs", "2")
    assert wait_until(lambda: len(children(proc.pid)) >= 2, 60)
    workers = children(proc.pid)
    time.sleep(1.5)  # Manim is rendering in both
    proc.send_signal(sig)
    err = proc.communicate(timeout=30)[1]
    assert wait_until(lambda: not any(alive(w) for w in workers), 10), "orphaned workers"
    if sig == signal.SIGTERM:
        assert proc.returncode == 130 and "interrupted" in err
        assert "Traceback" not in err and "BrokenPipeError" not in err
        assert not any((out / ".cache" / "runs").iterdir())
    assert not list(out.glob("*.part*"))


def test_many_renders_at_once_then_nothing_stale(tmp_path, cold_cache):
    """Four renders of overlapping scenes and sizes into one folder, two of them stopped (Ctrl-C
    and SIGKILL), then a final render: every published file decodes and matches its name and
    its record, the final render re-renders only what is missing, and no work folder is left."""
    out = tmp_path / "out"
    small, wide = ["--width", "192"], ["--width", "256", "--height", "108"]
    procs = [start(out, "race", "saddle", *small, "--jobs", "1"),
             start(out, "saddle", *wide),
             start(out, "race", *wide),
             start(out, "saddle", *small)]
    for proc in procs:
        reached_first_line(proc)  # a signal before it would reach Python starting up
    time.sleep(4)
    procs[1].send_signal(signal.SIGINT)
    procs[2].kill()
    codes = [p.wait(timeout=300) for p in procs]
    assert codes[0] == 0 and codes[3] == 0 and codes[1] in (0, 130) and codes[2] == -9
    for argv in (small, wide):
        assert main(["render", "race", "saddle", *argv, *TINY, "--quiet", "--out", str(out)]) == 0
    records = Records(out)
    names = [v.name for v in videos(out)]
    assert sorted(n.split("-")[0] + "-" + n.split("-")[2] for n in names) == [
        "race-108p5", "race-256x108p5", "saddle-108p5", "saddle-256x108p5"]
    for video in videos(out):
        assert size_of(video) == size_in_name(video)
        record = json.loads((out / ".cache" / "records" / f"{video.name}.json").read_text())
        assert records.fresh(video, record["key"])
        assert video.with_suffix(".srt").name in record["files"]
    assert not any((out / ".cache" / "runs").iterdir())
    assert not list(out.rglob("*.part*")) and not list(out.rglob(".*.old-*"))
    # One text cache for every size: each text is laid out on one canvas whatever the size.
    scene_cache = render.media_cache(out) / "saddle"
    assert sorted(os.listdir(scene_cache)) == ["Tex", "texts-3840x2160"]
    assert os.listdir(scene_cache / "texts-3840x2160")


def test_the_formula_and_text_caches_go_where_the_variable_says(tmp_path, monkeypatch, capsys):
    """OUT/.cache/media by default; $ADAM_ANIMATED_CACHE, shared by every --out, when set; a
    folder that cannot be one is refused in one line before anything renders."""
    monkeypatch.delenv(render.CACHE_VARIABLE, raising=False)
    assert render.media_cache(tmp_path / "o") == tmp_path / "o" / ".cache" / "media"
    monkeypatch.setenv(render.CACHE_VARIABLE, str(tmp_path / "shared"))
    assert render.media_cache(tmp_path / "o") == tmp_path / "shared"
    assert (tmp_path / "shared").is_dir()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(render.CACHE_VARIABLE, str(blocker / "cache"))
    assert main(["render", "race", "--quiet", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"${render.CACHE_VARIABLE}={blocker / 'cache'}" in err, err
    assert not (tmp_path / "out").exists() or not videos(tmp_path / "out")


def test_a_render_that_rewrites_a_cached_file_leaves_the_shared_one_alone(tmp_path):
    """Renders get copies of the shared cache: with hard links, a render rewriting a cached
    drawing in place emptied the shared one under a concurrent render (seen: ParseError)."""
    from scenes.production.jobs import seed_cache

    shared, private = tmp_path / "shared", tmp_path / "private"
    shared.mkdir()
    (shared / "a.svg").write_text("<svg/>")
    (shared / ".b.123-abc.part.svg").write_text("")  # another render's, being written
    seed_cache(shared, private)
    assert sorted(p.name for p in private.iterdir()) == ["a.svg"]
    (private / "a.svg").write_text("")
    assert (shared / "a.svg").read_text() == "<svg/>"
