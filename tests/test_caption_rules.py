"""Every scene, built at the default parameters and at every preset, keeps the caption rules:
its cues (what the .srt receives) pass tests/caption_rules.py, there is one cue per beat and
one slide per idea, no caption stays on screen longer than its cue, and no text of the
picture reaches past the frame at the end of any beat."""

from __future__ import annotations

import datetime

import pytest
import srt
from caption_rules import problems

import render
from scenes import SCENES
from scenes.framework.captions import CaptionError, cue_lines, first_fitting, reading_time
from scenes.production.spoken import spoken, unspoken

PRESETS = render.presets()


def preset_params(preset: str) -> dict:
    config = render.load_config(render.build_parser().parse_args(["render", "race",
                                                                  "--preset", preset]))
    return config.scenes


def distinct_configurations() -> list:
    """Each scene at each distinct parameter set the presets give it (most presets change a
    few scenes only): ``(scene class, params)``, with the presets that share it in the id."""
    found: dict = {}
    for preset in PRESETS:
        scenes = preset_params(preset)
        for cls in SCENES:
            params = scenes[cls.key]
            found.setdefault((cls, repr(params)), (cls, params, []))[2].append(preset)
    return [pytest.param(cls, params, id=f"{cls.key}-{'+'.join(presets)}")
            for cls, params, presets in found.values()]


@pytest.mark.parametrize(("cls", "params"), distinct_configurations())
def test_cues_follow_the_rules(construct, cls, params):
    scene = construct(cls, params)
    cues = scene.renderer.file_writer.subcaptions
    assert len(cues) == len(scene.beats) >= 3
    assert problems(list(srt.parse(srt.compose(cues))), scene.renderer.time) == []
    # One slide per idea, its notes its beats' captions in order (one paragraph each).
    scene._add_last_slide()
    ideas = [[b.caption for b in scene.beats if b.idea == i] for i in range(len(scene.ideas))]
    assert all(ideas)  # every declared idea has a beat (a slide)
    assert [s.notes for s in scene._slides] == ["\n\n".join(c) for c in ideas]
    assert 1 <= len(scene._slides) <= 5  # a scene is a few ideas, not one slide a beat
    # Every caption can be said: no symbol left, nothing spelled out letter by letter.
    for beat in scene.beats:
        assert unspoken(spoken(beat.caption)) == [], (beat.caption, spoken(beat.caption))
    # No text of the picture reaches past the frame at any beat's end (long names shrink).
    assert scene.outside == []


def test_a_long_caption_is_refused_when_the_scene_is_built():
    with pytest.raises(CaptionError, match="too long for one cue"):
        cue_lines("word " * 30)
    assert first_fitting("word " * 30, "short") == "short"


def test_a_point_is_never_split_across_lines():
    lines = cue_lines("SGD ends 0.35 from (1, 1) after 2000 steps, and more words here.")
    assert all(line.count("(") == line.count(")") for line in lines)
    lines = cue_lines("After 30 steps the hiker rests at θ = 3.35, a valley floor (slope ≈ 0).")
    assert any("θ = 3.35" in line for line in lines)


def test_reading_time_is_15_characters_a_second_plus_a_pause():
    assert reading_time("x" * 60) == pytest.approx(4.6)
    assert reading_time("ok") == 1.0


def test_checker_catches_each_broken_rule():
    def cue(i, a, b, text):
        return srt.Subtitle(i, datetime.timedelta(seconds=a), datetime.timedelta(seconds=b),
                            text)

    found = problems([cue(1, 0, 2, "x" * 40), cue(2, 1.5, 9.5, "a\nb\nc"),
                      cue(3, 9.5, 10.2, "y")], 10.0)
    assert any("characters a second" in p for p in found)
    assert any("overlaps" in p for p in found)
    assert any("lines" in p for p in found)
    assert any("s on screen" in p for p in found)
    assert any("after the video" in p for p in found)
    # Narrated: the reading speed is the speaker's; every other rule still holds.
    spoken = problems([cue(1, 0, 2, "x" * 40), cue(2, 1.5, 9.5, "a\nb\nc")], 9.0, spoken=True)
    assert not any("characters a second" in p for p in spoken)
    assert all(any(rule in p for p in spoken) for rule in ("overlaps", "lines", "s on screen",
                                                             "after the video"))
