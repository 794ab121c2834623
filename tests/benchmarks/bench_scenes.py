"""Benchmark of the scenes and the explainer (not part of `make test`; run `make bench`).

Everything is timed as a fresh process (start-up included), the naive baselines with Manim's own
CLI (tests/benchmarks/baselines, copied from the project's shared notes) and ours through
`render.py`, in the same run; medians over --repeats. Prints seconds of rendering per second of
video and the ratios the issues set as targets:

- RosenbrockRace at 1080p60: <= 1.0 s per s of video (baseline: naive_race.py)
- SaddleEscape: >= 10x faster than naive_saddle.py per s of video at 480p15; <= 3 s/s at 1080p60
- TuningSweep at 1080p60: <= 1.0 s per s of video, with 64 and with 256 starts (the frames
  draw summaries, so their cost must not grow with the runs)
- the whole explainer at 1080p60 with --jobs 2 and --jobs 1, against the sum of single scenes,
  and a second, unchanged run. Target: less wall time than the video lasts.
- narration: the whole explainer at 1080p60 (--jobs 2) narrated by the neural voice (the
  default; a fresh output folder, so the speech is synthesized too) against --voice none, and
  a second, unchanged narrated run. Targets: at most 1.5x the silent time and at most 0.45 s
  per second of video; the unchanged run as fast as a silent one. The spoken beats are longer
  than the reading-time beats (speech is slower than reading), so s/s is printed too.
- start-up (2 cores, medians): `list` and `params race` at most 0.5 s; `facts race` at most
  2.5 s; a second `render race -q l` with one parameter changed at most 3.5 s.
- lecture material: `explore race saddle` at most 10 s together; the deck after a render at the
  same settings at most 20 % of the render (in the explainer lines).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av

from scenes import SCENES

ROOT = Path(__file__).resolve().parents[2]
BASELINES = Path(__file__).resolve().parent / "baselines"
PY = sys.executable
MANIM = [PY, "-m", "manim"]


SILENT = {"ADAM_ANIMATED_VOICE": "none"}  # the scene timings: silent, as before the voice


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   env={**os.environ, **SILENT, **(env or {})})
    return time.perf_counter() - t0


def duration(path: Path) -> float:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        return float(s.duration * s.time_base)


def naive(script: str, scene: str, quality: str, repeats: int) -> tuple[float, float]:
    """Median seconds and the video's duration for a baseline scene."""
    times, video = [], 0.0
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            times.append(timed([*MANIM, "render", f"-q{quality}", "--disable_caching",
                                "--media_dir", tmp, str(BASELINES / script), scene], ROOT))
            video = duration(next(Path(tmp).rglob(f"{scene}.mp4")))
    return statistics.median(times), video


def ours(args: list[str], repeats: int, pattern: str) -> tuple[float, float]:
    times, video = [], 0.0
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            times.append(timed([PY, "render.py", *args, "--out", tmp, "--quiet"], ROOT))
            video = duration(next(Path(tmp).glob(pattern)))
    return statistics.median(times), video


def line(name: str, seconds: float, video: float) -> float:
    rate = seconds / video
    print(f"  {name:<44} {seconds:7.1f} s for {video:5.1f} s of video = {rate:5.2f} s/s",
          flush=True)
    return rate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip", nargs="*", default=[],
                    choices=["startup", "lecture", "race", "saddle", "tuning", "explainer",
                             "narration"])
    args = ap.parse_args()
    r = args.repeats

    if "startup" not in args.skip:
        print("Start-up, medians of 5 (targets: list, params <= 0.5 s; facts race <= 2.5 s; "
              "re-render with one parameter changed <= 3.5 s):")
        with tempfile.TemporaryDirectory() as tmp:
            def median_of(args: list[str], n: int = 5) -> float:
                return statistics.median(timed([PY, "render.py", *args], ROOT)
                                         for _ in range(n))

            for args_ in (["list"], ["params", "race"], ["facts", "race", "--out", tmp]):
                print(f"  render.py {' '.join(args_[:2]):<38} {median_of(args_):6.2f} s",
                      flush=True)
            small = ["render", "race", "-q", "l", "--out", tmp, "--quiet"]
            timed([PY, "render.py", *small], ROOT)  # caches warm, as a lecturer's second try
            changed = statistics.median(
                timed([PY, "render.py", *small, "--set", f"race.steps={300 + i}"], ROOT)
                for i in range(5))
            print(f"  render.py render race -q l, one parameter changed {changed:6.2f} s")

    if "lecture" not in args.skip:
        print("Interactive pages (target: explore race saddle <= 10 s together):")
        with tempfile.TemporaryDirectory() as tmp:
            took = statistics.median(timed([PY, "render.py", "explore", "race", "saddle",
                                            "--out", tmp, "--quiet"], ROOT) for _ in range(r))
        print(f"  render.py explore race saddle                 {took:6.2f} s")

    if "race" not in args.skip:
        print("RosenbrockRace, 1080p60 (target <= 1.0 s/s):")
        base = line("naive_race.py (vector contours, TracedPath)", *naive(
            "naive_race.py", "NaiveRace", "h", r))
        mine = line("render.py render race", *ours(["render", "race", "-q", "h", "--jobs", "1"],
                                                    r, "race-*.mp4"))
        print(f"  ratio naive/ours per s of video: {base / mine:.2f}x")

    if "saddle" not in args.skip:
        print("SaddleEscape (targets: >= 10x the baseline at 480p15, <= 3 s/s at 1080p60):")
        base = line("naive_saddle.py, 480p15 (Surface 32x32, orbit)", *naive(
            "naive_saddle.py", "NaiveSaddle", "l", max(1, r // 3)))
        low = line("render.py render saddle, 480p15", *ours(
            ["render", "saddle", "-q", "l", "--jobs", "1"], r, "saddle-*.mp4"))
        line("render.py render saddle, 1080p60", *ours(
            ["render", "saddle", "-q", "h", "--jobs", "1"], r, "saddle-*.mp4"))
        print(f"  ratio naive/ours per s of video at 480p15: {base / low:.1f}x")

    if "tuning" not in args.skip:
        print("TuningSweep, 1080p60 (target <= 1.0 s/s whatever the number of runs):")
        for starts in (64, 256):
            line(f"render.py render tuning, {starts} starts", *ours(
                ["render", "tuning", "-q", "h", "--jobs", "1", "--set",
                 f"tuning.starts={starts}"], r, "tuning-*.mp4"))

    if "explainer" not in args.skip:
        print("The whole explainer, 1080p60 (targets: at most 0.7 s per s of video; the deck "
              "after it at most 20 % of its time):")
        singles = 0.0
        for scene in SCENES:
            t, video = ours(["render", scene.key, "-q", "h", "--jobs", "1"], 1,
                            f"{scene.key}-*.mp4")
            line(f"render.py render {scene.key}", t, video)
            singles += t
        for jobs in ("1", "2"):
            with tempfile.TemporaryDirectory() as tmp:
                cmd = [PY, "render.py", "explainer", "-q", "h", "--jobs", jobs, "--out", tmp,
                       "--quiet"]
                first = timed(cmd, ROOT)
                video = duration(next(Path(tmp).glob("explainer-*.mp4")))
                again = timed(cmd, ROOT)
                # the explainer's own settings: captioned (a deck is captionless by default)
                deck = timed([PY, "render.py", "slides", "-q", "h", "--jobs", jobs, "--out", tmp,
                              "--captions", "on", "--quiet"], ROOT)
            print(f"  --jobs {jobs}: {first:6.1f} s for {video:5.1f} s of video "
                  f"({first / video:.2f} s/s); unchanged second run {again:4.1f} s; "
                  f"slides after it {deck:4.1f} s ({100 * deck / first:.0f} % of the render)")
        print(f"  sum of the single-scene renders: {singles:6.1f} s")

    if "narration" not in args.skip:
        print("Narration: the explainer at 1080p60, --jobs 2, neural voice against silent "
              "(targets: at most 1.5x the time, at most 0.45 s/s):")
        base = ["explainer", "-q", "h", "--jobs", "2"]
        plain, plain_video = ours([*base, "--voice", "none"], r, "explainer-*.mp4")
        line("render.py explainer --voice none", plain, plain_video)
        spoken, spoken_video = ours([*base, "--voice", "neural"], r, "explainer-*.mp4")
        line("render.py explainer --voice neural", spoken, spoken_video)
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [PY, "render.py", *base, "--voice", "neural", "--out", tmp, "--quiet"]
            timed(cmd, ROOT)
            again = timed(cmd, ROOT)
        print(f"  narrated/silent: {spoken / plain:.2f}x the time; per second of video "
              f"{spoken / spoken_video:.2f} s/s (the spoken video is "
              f"{100 * (spoken_video / plain_video - 1):+.0f} % longer); unchanged second "
              f"narrated run {again:.1f} s")


if __name__ == "__main__":
    main()
