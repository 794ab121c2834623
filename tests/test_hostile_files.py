"""Files that are not what they seem: a FIFO, a symlink to /dev/zero, a huge, hand-edited or
truncated file, or a file in the way of a folder, wherever the program reads or keeps files
(records and outputs, the narration manifest and recordings, configs, the draft voice's cache),
and numbers too large to read. The cache's own files mean "render again"; the user's mean one
line on stderr and exit code 2. Never a hang, a traceback or memory eaten: where a hang is the
failure, `render.py` runs as a process with a timeout."""

import json
import os
import shutil
import subprocess
import sys
import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

import render
from render import main
from scenes.framework.params import ParamError
from scenes.production import voice
from scenes.production.narration import (
    CODEC_FRAMES,
    MAX_MANIFEST_BYTES,
    MAX_RECORDING_BYTES,
    MAX_SECONDS,
    RATE,
    Narration,
    check_folder,
    encode,
    read_audio,
    recordings,
)

ROOT = Path(render.__file__).parent
TINY = ["--width", "192", "--fps", "5", "--set", "race.steps=40", "--set", "race.race_time=2",
        "-q", "l", "--jobs", "1"]
BIG = "1" + "0" * 400  # a whole number TOML reads, too large for a float
HUGE = "1" * 5000  # more digits than Python turns into an int


def run(*argv: str) -> subprocess.CompletedProcess:
    """``render.py`` as a process: a hang fails the test instead of stalling the suite."""
    return subprocess.run([sys.executable, str(ROOT / "render.py"), *argv], capture_output=True,
                          text=True, timeout=180)


def one_line(err: str, code: int, expected: int = 2) -> str:
    assert code == expected, err
    assert err.startswith("render.py: error: ") and err.count("\n") == 1 and len(err) < 300, err
    return err


def tone(path: Path, seconds: float, rate: int = 44_100) -> Path:
    """A 16-bit mono WAV sine of ``seconds``."""
    t = np.arange(round(seconds * rate)) / rate
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((0.5 * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes())
    return path


def encoded(path: Path, codec: str, seconds: float) -> Path:
    """A sine of ``seconds`` encoded with ``codec`` in the container ``path``'s suffix names."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=RATE, layout="mono")
        stream.codec_context.format = CODEC_FRAMES[codec][1]
        stream.time_base = Fraction(1, RATE)
        t = np.arange(round(seconds * RATE)) / RATE
        encode(out, stream, (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32))
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """An output folder with the race rendered; tests damage copies of it."""
    out = tmp_path_factory.mktemp("rendered") / "out"
    assert main(["render", "race", *TINY, "--quiet", "--out", str(out)]) == 0
    return out


def copy_of(rendered: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(rendered, tmp_path / "out", symlinks=True))


def is_fresh(out: Path, capsys) -> bool:
    capsys.readouterr()
    assert main(["render", "race", *TINY, "--out", str(out)]) == 0
    return "up to date:" in capsys.readouterr().err


# --- the cache's own files: render again ---------------------------------------------------------

@pytest.mark.parametrize(("suffix", "damage"), [
    (".srt", os.mkfifo),
    (".mp4", lambda p: p.symlink_to("/dev/zero")),
], ids=["srt-fifo", "mp4-dev-zero"])
def test_a_recorded_output_that_is_not_a_regular_file_is_rendered_again(
        rendered, tmp_path, capsys, suffix, damage):
    out = copy_of(rendered, tmp_path)
    [target] = out.glob(f"race-*{suffix}")
    target.unlink()
    damage(target)
    result = run("render", "race", *TINY, "--quiet", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert target.is_file() and not target.is_symlink()
    assert is_fresh(out, capsys)


@pytest.mark.parametrize("edit", [
    lambda record: "[" * 100_000 + "]" * 100_000,
    lambda record: json.dumps({**record, "files": {"race\0.mp4": "0" * 64}}),
], ids=["nested", "nul-in-name"])
def test_a_record_edited_by_hand_means_render_again(rendered, tmp_path, capsys, edit):
    out = copy_of(rendered, tmp_path)
    [path] = (out / ".cache" / "records").glob("race-*.json")
    path.write_text(edit(json.loads(path.read_text())))
    assert main(["render", "race", *TINY, "--quiet", "--out", str(out)]) == 0
    assert "\0" not in path.read_text() and json.loads(path.read_text())["files"]
    assert is_fresh(out, capsys)


@pytest.mark.parametrize("where", [".cache", ".cache/records", ".cache/runs"])
def test_a_file_in_the_way_of_the_cache_is_removed(tmp_path, capsys, where):
    out = tmp_path / "out"
    (out / where).parent.mkdir(parents=True, exist_ok=True)
    (out / where).write_text("not a folder")
    assert main(["render", "race", *TINY, "--quiet", "--out", str(out)]) == 0
    assert (out / where).is_dir()
    assert is_fresh(out, capsys)


@pytest.mark.skipif(voice.missing() is not None, reason="the neural voice is not installed")
@pytest.mark.parametrize("damage", [
    lambda p: p.write_bytes(p.read_bytes()[:1000]),
    lambda p: (p.unlink(), os.mkfifo(p)),
], ids=["truncated", "fifo"])
def test_a_damaged_voice_file_is_spoken_again(tmp_path, damage):
    caption = "SGD and Adam start together at (-1.5, -1)."
    first = Narration(None, "neural", str(tmp_path))
    clip = first.clip("race", "start", caption)
    first.close()
    [wav] = tmp_path.glob("neural-*.wav")
    damage(wav)
    again = Narration(None, "neural", str(tmp_path))
    healed = again.clip("race", "start", caption)
    again.close()
    assert again.speaker.started == 1 and healed.seconds == pytest.approx(clip.seconds, rel=0.2)
    assert list(tmp_path.iterdir()) == [wav] and wav.is_file()  # healed, no temporary left


# --- the user's files: one line ------------------------------------------------------------------

@pytest.mark.parametrize(("make", "says"), [
    (os.mkfifo, "cannot read it (not a regular file)"),
    (lambda p: p.symlink_to("/dev/zero"), "cannot read it (not a regular file)"),
    (lambda p: p.write_text(" " * (MAX_MANIFEST_BYTES + 1)),
     f"cannot read it ({MAX_MANIFEST_BYTES + 1} bytes; at most {MAX_MANIFEST_BYTES}"),
    (lambda p: p.write_text("[" * 100_000 + "]" * 100_000), "not readable"),
], ids=["fifo", "dev-zero", "huge", "nested"])
def test_a_manifest_that_is_not_a_small_json_file_is_one_line(tmp_path, make, says):
    folder, out = tmp_path / "narration", tmp_path / "out"
    (folder / "race").mkdir(parents=True)
    make(folder / "manifest.json")
    result = run("render", "race", *TINY, "--narration", str(folder), "--out", str(out))
    assert "manifest.json: " + says in one_line(result.stderr, result.returncode)
    assert not out.exists()


def sparse(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        fh.truncate(size)


@pytest.mark.parametrize(("make", "says"), [
    (lambda p: (p.parent.mkdir(parents=True), os.mkfifo(p)), "cannot read it (not a regular file)"),
    (lambda p: tone(p, MAX_SECONDS + 5, rate=16_000), f"more than {MAX_SECONDS} s long"),
    (lambda p: sparse(p, MAX_RECORDING_BYTES + 1), f"at most {MAX_RECORDING_BYTES}"),
    (lambda p: sparse(p.with_suffix(".txt"), 10),
     "start.txt: not a recording (allowed: .wav, .flac, .mp3, .ogg, .opus, .m4a)"),
], ids=["fifo", "too-long", "too-large", "txt"])
def test_a_recording_that_cannot_be_one_is_one_line(tmp_path, make, says):
    folder, out = tmp_path / "narration", tmp_path / "out"
    make(folder / "race" / "start.wav")
    result = run("render", "race", *TINY, "--narration", str(folder), "--out", str(out))
    err = one_line(result.stderr, result.returncode)
    assert says in err and ("race/start" in err or "start.txt" in err)
    assert not out.exists()


@pytest.mark.parametrize(("suffix", "codec"), [(".ogg", "libopus"), (".opus", "libopus"),
                                               (".m4a", "aac")])
def test_ogg_opus_and_m4a_recordings_are_heard(tmp_path, suffix, codec):
    path = encoded(tmp_path / "race" / f"start{suffix}", codec, 1.5)
    assert recordings(tmp_path, "race") == {"start": path}
    check_folder(tmp_path, list(render.CATALOG))
    assert len(read_audio(path, "race/start")) / RATE == pytest.approx(1.5, abs=0.05)


def test_a_config_that_is_a_fifo_is_one_line(tmp_path):
    os.mkfifo(tmp_path / "fifo.toml")
    result = run("render", "race", "--config", str(tmp_path / "fifo.toml"))
    assert "not a regular file" in one_line(result.stderr, result.returncode)


NUMBERS = [("race", "racers.adam.lr", BIG), ("race", "start", f"[{BIG}, 0]"),
           ("race", "domain", f"[-{BIG}, 1, -1, 1]"), ("tuning", "threshold", BIG)]


@pytest.mark.parametrize(("table", "key", "value"), NUMBERS)
def test_a_number_too_large_for_a_float_is_one_line(tmp_path, capsys, table, key, value):
    config = tmp_path / "big.toml"
    config.write_text(f"[{table}]\n{key} = {value}\n")
    for argv in (["--set", f"{table}.{key}={value}"], ["--config", str(config)]):
        code = main(["render", "race", *argv, "--out", str(tmp_path / "out")])
        err = one_line(capsys.readouterr().err, code)
        assert f"{table}.{key}: expected" in err and "finite number" in err


@pytest.mark.parametrize("values", [
    {"racers": {"adam": {"lr": 10**400}}}, {"start": (10**400, 0)},
    {"domain": (-(10**400), 1, -1, 1)}, {"racers": {"adam": {"lr": 10**5000}}},
    {"steps": 10**5000},
], ids=["lr", "start", "domain", "lr-5000-digits", "steps-5000-digits"])
def test_with_params_refuses_huge_numbers_in_one_line(values):
    with pytest.raises(ParamError) as refused:
        render.CATALOG["race"].load().with_params(**values)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 300


def test_a_number_of_5000_digits_is_one_line(tmp_path, capsys):
    config = tmp_path / "huge.toml"
    config.write_text(f"[race]\nsteps = {HUGE}\n")
    for argv in (["--set", f"race.steps={HUGE}"], ["--config", str(config)]):
        code = main(["render", "race", *argv, "--out", str(tmp_path / "out")])
        assert "more than 4300 digits" in one_line(capsys.readouterr().err, code)
    assert not (tmp_path / "out").exists()
