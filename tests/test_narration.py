"""Narration: the script, recordings timing their beats, the sound in every output, bad files.

Recordings here are generated tones of known lengths, so every length and onset is known."""

import csv
import json
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from caption_rules import cue_spans

from render import main
from scenes.framework.captions import MAX_CUE, SPOKEN_PAUSE
from scenes.framework.video import video_duration
from scenes.production.facts import build_facts
from scenes.production.media import join_videos
from scenes.production.narration import RATE, NarrationError, decoded_track, read_audio

FPS = 15
FAST = ["--set", "race.steps=40", "--set", "race.race_time=2", "--set", "saddle.steps=20",
        "--set", "saddle.race_time=2", "-q", "l", "--width", "192", "--jobs", "1", "--quiet"]
TONES = {"race/landscape": 3.0, "race/start": 4.0, "race/outcome-1": 8.0,
         "saddle/start": 2.5}  # beat id -> seconds of recording


def tone(path: Path, seconds: float, rate: int = 44_100, freq: float = 440.0,
         amplitude: float = 0.5) -> Path:
    """A 16-bit mono WAV: a sine of ``seconds`` (amplitude 0: silence)."""
    t = np.arange(round(seconds * rate)) / rate
    pcm = (amplitude * 32767 * np.sin(2 * np.pi * freq * t)).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def onsets(track: np.ndarray, level: float = 0.05, gap: float = 0.3) -> list[float]:
    """Seconds at which sound starts after at least ``gap`` seconds of silence."""
    loud = np.flatnonzero(np.abs(track) > level)
    if not len(loud):
        return []
    starts = [loud[0], *loud[1:][np.diff(loud) > gap * RATE]]
    return [s / RATE for s in starts]


def slides(out: Path) -> dict[str, list[tuple[Path, list[dict]]]]:
    """Each rendered scene's slide clips (one per idea) with their beats (id, start and end in
    seconds of the scene's video), as the deck's presentation JSON records them."""
    found = {}
    for deck in sorted((out / ".cache" / "slides").iterdir()):
        config = json.loads(next(deck.glob("*.json")).read_text())["slides"]
        found[deck.name.split("-")[0]] = [(deck.parent / s["file"], s["beats"]) for s in config]
    return found


def beats_of(out: Path) -> dict[str, list[dict]]:
    return {scene: [b for _, beats in found for b in beats]
            for scene, found in slides(out).items()}


@pytest.fixture(scope="module")
def narrated(tmp_path_factory):
    """race and saddle rendered with tones for a few beats (the others at reading pace)."""
    root = tmp_path_factory.mktemp("narrated")
    folder, out = root / "narration", root / "out"
    for i, (beat_id, seconds) in enumerate(TONES.items()):
        tone(folder / f"{beat_id}.wav", seconds, freq=330.0 + 110 * i)
    assert main(["render", "race", "saddle", *FAST, "--narration", str(folder),
                 "--out", str(out)]) == 0
    facts = {k: build_facts(k, params, "dark", fps=FPS)["beats"] for k, params in (
        ("race", render_params("race")), ("saddle", render_params("saddle")))}
    return out, facts, folder


def render_params(key: str):
    import render

    args = render.build_parser().parse_args(["render", key, *FAST])
    return render.load_config(args).scenes[key]


def test_each_narrated_beat_lasts_its_recording_plus_a_pause(narrated):
    out, facts, _ = narrated
    for scene, beats in beats_of(out).items():
        assert [b["id"] for b in beats] == [b["id"] for b in facts[scene]]
        for rendered, beat in zip(beats, facts[scene], strict=True):
            seconds = rendered["end"] - rendered["start"]
            recorded = TONES.get(beat["id"])
            if recorded is not None:
                assert seconds == pytest.approx(recorded + SPOKEN_PAUSE,
                                                abs=1 / FPS + 1e-6), beat["id"]
            else:  # no recording: the reading-time rule, as without narration
                assert seconds == pytest.approx(beat["end"] - beat["start"], abs=1 / FPS + 1e-6)


def test_the_sound_starts_with_its_beat_in_the_video_and_in_the_joined_explainer(narrated):
    out, facts, _ = narrated
    videos = {v.name.split("-")[0]: v for v in out.glob("*.mp4")}
    starts = {}
    for scene, beats in beats_of(out).items():
        starts[scene] = [b["start"] for b in beats if b["id"] in TONES]
        with av.open(str(videos[scene])) as c:
            assert [s.codec_context.name for s in c.streams] == ["h264", "aac"]
            assert c.streams.audio[0].layout.name == "mono"
        heard = onsets(decoded_track(videos[scene]))
        assert len(heard) == len(starts[scene])
        assert np.allclose(heard, starts[scene], atol=1 / FPS)
    joined = out / "joined.mp4"
    chapters = join_videos([(k, videos[k]) for k in ("race", "saddle")], joined)
    expected = [offset + t for (offset, key) in chapters for t in starts[key]]
    heard = onsets(decoded_track(joined))
    assert np.allclose(heard, expected, atol=1 / FPS)
    assert video_duration(joined) == pytest.approx(
        sum(video_duration(v) for v in videos.values()), abs=1 / FPS)


def test_the_deck_clips_carry_their_beats_sound(narrated):
    out, _, _ = narrated
    for found in slides(out).values():
        for clip, beats in found:
            track = decoded_track(clip)
            first = beats[0]["start"]
            assert len(track) / RATE == pytest.approx(video_duration(clip), abs=1 / FPS)
            assert video_duration(clip) == pytest.approx(beats[-1]["end"] - first, abs=1 / FPS)
            for beat in beats:  # each beat's stretch of the slide's sound
                part = track[round((beat["start"] - first) * RATE):
                             round((beat["end"] - first) * RATE)]
                if beat["id"] in TONES:
                    assert onsets(part)[0] == pytest.approx(0.0, abs=1 / FPS)
                    assert np.abs(part).max() > 0.3
                else:
                    assert np.abs(part).max() < 0.01


def test_the_pptx_deck_plays_the_narration(narrated):
    import io
    import zipfile

    out, _, folder = narrated
    # the narrated render's own settings (captioned), so the deck reuses it
    assert main(["slides", "race", *FAST, "--narration", str(folder), "--captions", "on",
                 "--out", str(out)]) == 0
    deck = zipfile.ZipFile(next(out.glob("race-*-deck.pptx")))
    media = [n for n in deck.namelist() if n.startswith("ppt/media/") and n.endswith(".mp4")]
    assert media
    for name in media:
        with av.open(io.BytesIO(deck.read(name))) as c:
            assert [s.type for s in c.streams] == ["video", "audio"]


def test_a_subtitle_cue_spans_its_recording_even_past_seven_seconds(narrated):
    out, facts, _ = narrated
    cues = cue_spans(next(out.glob("race-*.srt")).read_text())
    ids = [b["id"] for b in facts["race"]]
    for beat_id in ("race/landscape", "race/start", "race/outcome-1"):
        start, end, _ = cues[ids.index(beat_id)]
        assert end - start >= TONES[beat_id] - 1e-3
    assert TONES["race/outcome-1"] > MAX_CUE


def test_the_name_says_narrated(narrated):
    out, _, _ = narrated
    names = [v.stem for v in out.glob("*-p*.mp4")]
    assert len(names) == 2 and all(n.endswith("-dark-narrated") for n in names)


def test_script_lists_every_beat_with_a_stable_id(tmp_path, capsys):
    folder = tmp_path / "narration"
    assert main(["script", "race", "--narration", str(folder), "--quiet"]) == 0
    rows = list(csv.DictReader((folder / "script.csv").open()))
    ids = [r["id"] for r in rows]
    assert ids[:3] == ["race/landscape", "race/start", "race/race"] and len(set(ids)) == len(ids)
    text = (folder / "script.txt").read_text()
    assert all(r["id"] in text and r["caption"] in text for r in rows)
    assert all(float(r["seconds"]) >= 1.0 for r in rows) and (folder / "race").is_dir()
    # Other parameters change the captions (and the number of outcomes), not the ids' names.
    other = tmp_path / "other"
    assert main(["script", "race", "--narration", str(other), "--quiet", "--set",
                 "race.racers.sgd.lr=0.0001"]) == 0
    rows2 = list(csv.DictReader((other / "script.csv").open()))
    assert [r["id"] for r in rows2][:3] == ids[:3]
    assert [r["caption"] for r in rows2] != [r["caption"] for r in rows]


def test_a_changed_caption_is_reported_and_strict_refuses_it(tmp_path, capsys):
    folder, out = tmp_path / "narration", tmp_path / "out"
    assert main(["script", "race", "--narration", str(folder), "--quiet"]) == 0
    tone(folder / "race" / "start.wav", 1.5)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["race/start"] = {"caption": "An older caption.", "sha256": "0" * 16}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    assert main(["script", "race", "--narration", str(folder), "--quiet"]) == 0
    assert "race/start: the caption has changed since it was recorded" in capsys.readouterr().err
    assert json.loads((folder / "manifest.json").read_text())["race/start"]["sha256"] == "0" * 16
    assert main(["render", "race", *FAST, "--narration", str(folder), "--strict",
                 "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "race/start: the caption has changed since start.wav was recorded" in err
    assert not list(out.glob("race*"))
    assert main(["render", "race", *FAST, "--narration", str(folder), "--out", str(out)]) == 0
    assert "warning: narration race/start: the caption has changed" in capsys.readouterr().err
    assert len(list(out.glob("race*.mp4"))) == 1


@pytest.mark.parametrize(("make", "says"), [
    (lambda d: tone(d / "race" / "start.wav", 2.0, amplitude=0.0), "race/start: .* silent"),
    (lambda d: tone(d / "race" / "start.wav", 2.0, rate=8000), "sample rate 8000 Hz"),
    (lambda d: (d / "race").mkdir(parents=True) or (d / "race" / "start.wav").write_text("hi"),
     "race/start: .* not readable as audio"),
    (lambda d: tone(d / "race" / "start.wav", 0.05), "at least 0.2 s"),
    (lambda d: tone(d / "racer" / "start.wav", 2.0), "no scene is called 'racer'"),
    (lambda d: [tone(d / "race" / "start.wav", 1.0),
                tone(d / "race" / "start.flac", 1.0)], "two recordings"),
    (lambda d: (d / "manifest.json").write_text("{not json"), "manifest.json: not readable"),
    (lambda d: (d / "manifest.json").write_text("[1, 2]"), "not a manifest written by"),
])
def test_a_bad_recording_is_one_line_and_nothing_is_rendered(make, says, tmp_path, capsys):
    import re

    folder, out = tmp_path / "narration", tmp_path / "out"
    folder.mkdir()
    make(folder)
    assert main(["render", "race", *FAST, "--narration", str(folder), "--out",
                 str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and re.search(says, err), err
    assert not out.exists()


def test_a_recording_that_names_no_beat_fails_its_scene(tmp_path, capsys):
    folder, out = tmp_path / "narration", tmp_path / "out"
    tone(folder / "race" / "strat.wav", 1.0)
    assert main(["render", "race", *FAST, "--narration", str(folder), "--out", str(out)]) == 1
    assert "race has no beat 'strat'" in capsys.readouterr().err
    assert not list(out.glob("race*"))


def test_narration_needs_a_format_with_sound(capsys, tmp_path):
    assert main(["render", "race", "--voice", "neural", "--format", "gif", "--out",
                 str(tmp_path)]) == 2
    assert "narration needs format mp4 or webm" in capsys.readouterr().err


def test_read_audio_resamples_to_the_soundtrack_rate(tmp_path):
    samples = read_audio(tone(tmp_path / "a.wav", 1.25, rate=22_050), "race/start")
    assert len(samples) == pytest.approx(1.25 * RATE, abs=RATE * 0.01)
    with pytest.raises(NarrationError, match="race/start"):
        read_audio(tmp_path / "missing.wav", "race/start")


def test_captions_off_leaves_the_picture_without_the_band(tmp_path):
    frames = {}
    for captions in ("on", "off"):
        out = tmp_path / captions
        assert main(["render", "race", *FAST, "--captions", captions, "--out", str(out)]) == 0
        video = next(out.glob("*.mp4"))
        with av.open(str(video)) as c:  # a frame inside the first beat
            frame = next(f for i, f in enumerate(c.decode(video=0)) if i == 2 * FPS)
        frames[captions] = frame.to_ndarray(format="rgb24").astype(int)
        if captions == "off":
            assert video.stem.endswith("-nocaptions") and video.with_suffix(".srt").exists()
    diff = np.abs(frames["on"] - frames["off"]).sum(axis=2)
    rows = np.flatnonzero(diff.max(axis=1) > 60)
    assert len(rows) and rows.min() > diff.shape[0] * 0.7  # only the band at the bottom
