"""One colour per optimizer, in every scene: the colour of each optimizer's drawn mobjects (its
name in legends and labels, the swatch beside it, its paths and chart lines) is the colour the
table in scenes/framework/style.py gives it, or a shade of it when several racers share it.

Each scene is built with its animations skipped; every mobject it adds (all beats, not only what
is left on screen at the end) is recorded and read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import typeset_with_the_run
from manim import Dot, Text, VGroup, VMobject, tempconfig

from optim_core.optimizers import REGISTRY
from scenes.bias import BiasCorrection
from scenes.catalog import (
    BiasParams,
    MomentParams,
    MountainParams,
    NetworkParams,
    RaceParams,
    SaddleParams,
    TuningParams,
)
from scenes.framework.contenders import Racer
from scenes.framework.palette import OPTIMIZER_COLORS, RACER_COLORS, SHADE_SPREAD, THEMES
from scenes.framework.params import build
from scenes.moments import MomentAccumulation
from scenes.mountain import MountainAnalogy
from scenes.network import NetworkTraining
from scenes.race import RosenbrockRace
from scenes.saddle import SaddleEscape
from scenes.tuning import TuningSweep

SMALL_TUNING = {"starts": 4, "steps": 60, "lr_count": 7}
SMALL_NETWORK = {"hidden": 8, "steps": 30, "seeds": 1, "lr_count": 5, "batch": 32}


def rgb(color) -> np.ndarray:
    s = color if isinstance(color, str) else color.to_hex()
    return np.array([int(s[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def shade_of(color, optimizer: str, theme) -> bool:
    """``color`` is the optimizer's table colour, or that colour mixed at most SHADE_SPREAD of
    the way towards the theme's text colour (a second racer of the same optimizer)."""
    base, text = rgb(theme.racer(OPTIMIZER_COLORS[optimizer])), rgb(theme.text)
    c = rgb(color)
    t = np.clip(np.dot(c - base, text - base) / np.dot(text - base, text - base), 0, SHADE_SPREAD)
    return bool(np.all(np.abs(base + t * (text - base) - c) <= 1.0))


def recorded(cls, params, theme: str, media: Path) -> list:
    """Every mobject (with its family) the scene added while it was built (``media``: Manim's
    media folder of the process's builds, its formulas shared with the run's)."""
    seen: list = []

    class Recording(cls):
        def add(self, *mobjects):
            seen.extend(mobjects)
            return super().add(*mobjects)

    cfg = {"dry_run": True, "frame_rate": 1, "pixel_width": 160, "pixel_height": 90,
           "media_dir": str(media), "disable_caching": True, "verbosity": "ERROR",
           "progress_bar": "none"}
    with tempconfig(cfg), typeset_with_the_run(media / "Tex", cls.key):
        scene = Recording(params=params, theme=theme, skip_animations=True)
        scene.render()
    family: dict[int, object] = {}
    for mob in seen:
        for m in mob.get_family():
            family[id(m)] = m
    return list(family.values())


def text_color(mob: Text):
    return (mob.submobjects[0] if mob.submobjects else mob).get_fill_color()


def polylines(mobjects, theme) -> list[VMobject]:
    """Stroked paths and chart lines (10 points or more) not drawn in a theme colour."""
    plain = {rgb(c).tobytes() for c in (theme.text, theme.muted, theme.axis, theme.contour,
                                        theme.marker, theme.background)}
    return [m for m in mobjects if isinstance(m, VMobject) and not isinstance(m, Text)
            and m.get_num_points() >= 10 and m.get_stroke_width() > 0
            and m.get_stroke_opacity() > 0 and rgb(m.get_stroke_color()).tobytes() not in plain]


def racers_of(params, table: str) -> dict[str, str]:
    """Legend name -> optimizer, for a scene with a table of racers or contenders."""
    return {r.name: r.optimizer for r in getattr(params, table).values()}


CASES = [
    ("mountain", MountainAnalogy, MountainParams(), {}, True),
    ("moments", MomentAccumulation, MomentParams(),
     {"Gradient descent": "sgd", "Momentum": "momentum", "RMSProp": "rmsprop"}, False),
    ("bias", BiasCorrection, BiasParams(),
     {"Adam": "adam", "without correction": "adam_uncorrected"}, False),
    ("race", RosenbrockRace, RaceParams(), "racers", True),
    ("race-four", RosenbrockRace, build(RaceParams, {"racers": {
        "momentum": {"optimizer": "momentum", "lr": 0.002},
        "rmsprop": {"optimizer": "rmsprop", "lr": 0.01}}}, "race"), "racers", True),
    ("saddle", SaddleEscape, SaddleParams(), "racers", True),
    ("tuning", TuningSweep, build(TuningParams, SMALL_TUNING, "tuning"), "optimizers", True),
    ("tuning-reversed", TuningSweep, build(TuningParams, {**SMALL_TUNING, "optimizers": {
        k: {"optimizer": k} for k in ("adam", "rmsprop", "momentum", "sgd")}}, "tuning"),
     "optimizers", True),
    ("network", NetworkTraining, build(NetworkParams, SMALL_NETWORK, "network"), "optimizers",
     True),
]
CASES.append((
    "race-reversed", RosenbrockRace,
    RaceParams(racers={"adam": Racer("adam", lr=0.1), "sgd": Racer("sgd", lr=0.001)}),
    "racers", True))


def test_every_optimizer_has_a_colour():
    assert set(REGISTRY) <= set(OPTIMIZER_COLORS)
    assert set(OPTIMIZER_COLORS.values()) <= set(RACER_COLORS)
    # Different optimizers of the explainer's four are told apart by their colour.
    four = [OPTIMIZER_COLORS[k] for k in ("sgd", "momentum", "rmsprop", "adam")]
    assert len(set(four)) == 4


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize(("case", "cls", "params", "labels", "paths"), CASES,
                         ids=lambda v: v if isinstance(v, str) else "")
def test_each_optimizer_is_drawn_in_its_colour(case, cls, params, labels, paths, theme,
                                                media_cache):
    th = THEMES[theme]
    mobjects = recorded(cls, params, theme, media_cache)
    names = racers_of(params, labels) if isinstance(labels, str) else labels
    shown = set(names.values()) if names else {"sgd"}  # the mountain: gradient descent only

    # Names in legends, strips, panels and labels, and the swatch next to each.
    found = set()
    for mob in mobjects:
        name = getattr(mob, "original_text", None)
        if isinstance(mob, Text) and name in names:
            color = text_color(mob)
            if rgb(color).tobytes() in (rgb(th.text).tobytes(), rgb(th.muted).tobytes()):
                continue  # a name in the running text, not a legend entry
            assert shade_of(color, names[name], th), (case, name, color.to_hex())
            found.add(name)
        if isinstance(mob, VGroup) and len(mob.submobjects) == 2:
            dot, label = mob.submobjects
            name = getattr(label, "original_text", None)
            if isinstance(dot, Dot) and isinstance(label, Text) and name in names:
                assert shade_of(dot.get_fill_color(), names[name], th), (case, name)
    assert found == set(names), (case, set(names) - found)

    # Paths and chart lines: each in the colour of an optimizer shown, each of them drawn.
    if paths:
        drawn = {opt for line in polylines(mobjects, th) for opt in shown
                 if shade_of(line.get_stroke_color(), opt, th)}
        stray = [line.get_stroke_color().to_hex() for line in polylines(mobjects, th)
                 if not any(shade_of(line.get_stroke_color(), o, th) for o in shown)]
        assert stray == [] and drawn == shown, (case, stray, shown - drawn)
