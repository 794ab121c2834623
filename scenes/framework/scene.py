"""The explainer scene: a plain Manim scene with validated parameters and a theme, told in
ideas (one slide of the deck each) made of beats (caption, animations, hold; the .srt cue and
the narration of each)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from manim import FadeIn, ManimColor, SingleStringMathTex, Text, UpdateFromAlphaFunc, VGroup, linear

from scenes.framework.captions import (
    MAX_CUE,
    MIN_HOLD,
    SPOKEN_PAUSE,
    cue_lines,
    reading_time,
    spoken_cues,
)
from scenes.framework.internals import holds
from scenes.framework.internals.slides import DeckScene
from scenes.framework.palette import THEMES, Theme
from scenes.framework.params import ParamError, build
from scenes.framework.raster import RasterCamera
from scenes.framework.style import caption_band


class Speech(Protocol):
    """A beat's narration as the scene needs it: how long it speaks, and where each spoken
    phrase (its caption text) starts and ends, in seconds."""

    @property
    def seconds(self) -> float: ...

    @property
    def parts(self) -> tuple[tuple[str, float, float], ...]: ...


class Voice(Protocol):
    """Where beats find their narration (a lecturer's recordings, a draft voice): the speech
    of beat ``name`` of scene ``scene`` saying ``caption``, or None to be read instead."""

    def clip(self, scene: str, name: str, caption: str) -> Speech | None: ...


def texts_outside(scene: Any) -> list[str]:
    """The texts on screen that reach past the frame's edges (a 3D scene's: those fixed in
    the frame, the others are projected)."""
    half_w, half_h = scene.camera.frame_width / 2, scene.camera.frame_height / 2
    fixed = getattr(scene.camera, "fixed_in_frame_mobjects", None)
    found: list[str] = []

    def visit(mob: Any, flat: bool) -> None:
        flat = flat or fixed is None or mob in fixed
        if isinstance(mob, (Text, SingleStringMathTex)):
            x0, y0, _ = mob.get_corner([-1, -1, 0])
            x1, y1, _ = mob.get_corner([1, 1, 0])
            if flat and (x0 < -half_w or x1 > half_w or y0 < -half_h or y1 > half_h):
                found.append(mob.original_text if isinstance(mob, Text) else mob.tex_string)
            return
        for sub in mob.submobjects:
            visit(sub, flat)

    for mob in scene.mobjects:
        visit(mob, False)
    return found


@dataclass(frozen=True)
class Idea:
    """One idea of a scene's story, as a lecturer would put it on one slide: its beats play
    through on that slide, titled ``title``; ``facts`` are the keys of the scene's facts behind
    its numbers (the slide's speaker notes give their values)."""

    title: str
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Beat:
    """One step of a scene's story as it was rendered: its caption and its span in the video."""

    index: int  # 1-based, in scene order
    name: str  # stable when parameters change: the beat's id is "<scene key>/<name>"
    caption: str
    start: float  # seconds from the start of the scene
    end: float
    clip: Speech | None = None  # its narration, if narrated
    idea: int = 0  # the idea it belongs to, an index into the scene's ideas


class ExplainerScene(DeckScene):
    """A plain Manim scene that takes a validated parameter object and a theme, told in beats.

    ``manim scenes/race.py RosenbrockRace`` renders the defaults; ``render.py`` passes
    ``params=``, ``theme=`` and ``deck_folder=`` (and ``narration=``, ``captions=``). Nothing
    touches Manim's global config.

    Every animation plays inside a beat (``with self.beat(name, caption): self.play(...)``):
    the caption is shown in the caption band, written to the .srt and added to the slide's
    speaker notes, and the beat holds until the caption has been read (or spoken, if narrated).
    ``self.idea(title, *facts)`` before a beat begins a new idea: one slide of the deck, on
    which the beats up to the next idea play through. A scene that declares none is one idea.
    """

    key: ClassVar[str]  # the scene's table name in TOML and --set ("race", "saddle", ...)
    title: ClassVar[str]
    description: ClassVar[str]
    Params: ClassVar[type]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A scene that names its ``entry`` (the explainer's scenes: ``scenes.catalog``, which
        is read without Manim) takes its key, title, description and Params from it."""
        super().__init_subclass__(**kwargs)
        entry = cls.__dict__.get("entry")
        if entry is not None:
            cls.key, cls.title = entry.key, entry.title
            cls.description, cls.Params = entry.description, entry.Params

    def __init__(self, params: Any = None, theme: str | Theme = "dark",
                 narration: Voice | None = None, captions: bool = True, **kwargs: Any):
        self.params = params if params is not None else self.Params()
        self.theme = THEMES[theme] if isinstance(theme, str) else theme
        self.narration = narration  # recordings (or a draft voice) the beats are timed to
        self.captions = captions  # the caption band on screen (the .srt and notes stay)
        self._in_beat = False
        self.beats: list[Beat] = []
        self.ideas: list[Idea] = []
        self.facts: dict[str, Any] = {}  # the values the captions were computed from
        self.on_beat: Callable[[Beat], None] | None = None  # told of each beat done (progress)
        self.outside: list[str] = []  # "beat: text" of each text past the frame at a beat's end
        self._cues: list[tuple[float, float, list[str], VGroup | None]] = []  # the beat's
        kwargs.setdefault("renderer", holds.renderer(  # holds converted once
            RasterCamera, skip_animations=kwargs.get("skip_animations", False)))
        super().__init__(**kwargs)

    @classmethod
    def with_params(cls, theme: str = "dark", **values: Any) -> type[ExplainerScene]:
        """This scene with its parameters and theme fixed: a class Manim can instantiate
        without arguments, as its Jupyter magic and its CLI do::

            Race = RosenbrockRace.with_params(steps=300, theme="light",
                                              racers={"adam": {"lr": 0.05}})
            %manim -qm Race

        ``values`` are the keys of ``render.py params SCENE`` (nested tables as dicts), checked
        as a config file's are: a wrong key or value raises ParamError saying what is allowed.
        """
        if theme not in THEMES:
            raise ParamError(f"theme: {theme!r} is not allowed (choose one of: "
                             f"{', '.join(THEMES)})")
        params = build(cls.Params, values, cls.key)

        def __init__(self, **kwargs: Any) -> None:
            cls.__init__(self, params=params, theme=theme, **kwargs)

        return type(cls.__name__, (cls,), {"__init__": __init__, "__module__": cls.__module__,
                                           "__doc__": cls.__doc__})

    def configure(self, params: Any = None, theme: str | Theme | None = None) -> None:
        """Swap parameters and/or theme after construction (before ``construct`` runs)."""
        if params is not None:
            self.params = params
        if theme is not None:
            self.theme = THEMES[theme] if isinstance(theme, str) else theme
            self.camera.background_color = ManimColor(self.theme.background)

    def setup(self) -> None:
        # Scenes draw Raster layers; a renderer made elsewhere (e.g. by Manim's test helpers)
        # comes with a plain camera, which is swapped for one that knows them.
        if not isinstance(self.renderer.camera, RasterCamera):
            self.renderer.camera = RasterCamera()
        self.camera.background_color = ManimColor(self.theme.background)

    # --- ideas and beats -----------------------------------------------------------------------

    def idea(self, title: str, *facts: str) -> None:
        """Begin an idea: the beats from here to the next idea are one slide of the deck,
        titled ``title``; its speaker notes give the values of ``facts`` (keys of
        ``self.facts``, recorded by the end of the scene)."""
        if self._in_beat:
            raise RuntimeError("an idea begins between beats, not inside one")
        if not title.strip():
            raise ValueError(f"{self.key}: an idea needs a title")
        self.ideas.append(Idea(" ".join(title.split()), facts))

    def _slide_for(self, caption: str) -> None:
        """The deck's slide boundary: a new slide at the first beat of an idea, the caption
        added to the current slide's notes otherwise."""
        if not self.ideas:  # a scene that declares no ideas is one
            self.ideas.append(Idea(self.title))
        if self.beats and self.beats[-1].idea == len(self.ideas) - 1:  # its slide has begun
            self.add_notes(caption)
        else:
            self.next_slide(notes=caption)

    # --- beats -------------------------------------------------------------------------------

    @contextmanager
    def beat(self, name: str, caption: str) -> Iterator[None]:
        """One beat, ``name`` in the scene (its id is ``<scene key>/<name>``: a narration
        file's name): shows ``caption``, runs the animations played in the ``with`` block,
        then holds until the caption has been read (15 characters a second plus a pause), or,
        when narrated, until its recording has been spoken (plus a short pause)."""
        lines = cue_lines(caption)
        if self._in_beat:
            raise RuntimeError("beats do not nest")
        if any(b.name == name for b in self.beats):
            raise RuntimeError(f"{self.key}: two beats are called {name!r}")
        clip = self.narration.clip(self.key, name, caption) if self.narration else None
        spoken = clip.seconds if clip is not None else 0.0
        self._slide_for(" ".join(caption.split()))
        start = self.renderer.time
        # A cue lasts at most 7 s, or as long as a longer recording; a narration spoken in
        # parts longer than 7 s gets a cue per group of parts, each on screen while it is
        # spoken (see spoken_cues).
        plan = (spoken_cues(caption, clip.parts, spoken, SPOKEN_PAUSE) if clip is not None
                else [(0.0, MAX_CUE, caption)])
        self._cues = [(start + t0, start + t1, cue_lines(text) if len(plan) > 1 else lines,
                       None) for t0, t1, text in plan]
        if self.captions:
            self._cues = [(t0, t1, cue, caption_band(cue, self.theme))
                          for t0, t1, cue, _ in self._cues]
        self._in_beat = True
        self._show_cues(start)
        yield
        held = self.renderer.time - start
        needed = spoken + SPOKEN_PAUSE if clip is not None else reading_time(caption)
        hold = max(needed - held, MIN_HOLD)
        stop = self.renderer.time + hold
        frame = 1 / self.camera.frame_rate
        waited = 0.0
        for edge in sorted({t for t0, t1, _, _ in self._cues for t in (t0, t1)}):
            if self.renderer.time + frame < edge < stop - frame:  # the hold, cue by cue
                part = edge - self.renderer.time
                self.wait(part)
                waited += part
        # The rest as a length, not as stop - time: a difference of two large clock values
        # can exceed a whole number of frames by 1e-15 and cost a frame.
        self.wait(hold - waited)
        end = self.renderer.time
        self.outside += [f"{name}: {words}" for words in texts_outside(self)]
        self.remove(*(band for *_, band in self._cues if band is not None))
        self._in_beat = False
        for t0, t1, cue, _ in self._cues:
            if min(t1, end) > t0:
                self.add_subcaption("\n".join(cue), duration=min(t1, end) - t0,
                                    offset=t0 - end)
        self._cues = []
        self.beats.append(Beat(len(self.beats) + 1, name, " ".join(caption.split()), start, end,
                               clip, len(self.ideas) - 1))
        if self.on_beat is not None:
            self.on_beat(self.beats[-1])

    def _show_cues(self, now: float) -> None:
        """The caption band of the cue on screen at ``now``, and no other."""
        for t0, t1, _, band in self._cues:
            if band is None:
                continue
            if t0 - 1e-9 <= now < t1 - 1e-9:
                if band not in self.mobjects:
                    self.add(band)
            elif band in self.mobjects:
                self.remove(band)

    def fact_beats(self, captions: list[str], marks: VGroup) -> None:
        """One beat per computed fact of a race's outcome (``outcome-1``, ...); the first fades
        in ``marks``."""
        for i, caption in enumerate(captions):
            with self.beat(f"outcome-{i + 1}", caption):
                if i == 0:
                    self.play(FadeIn(marks), run_time=0.8)

    def clear_stage(self, *keep: Any) -> None:
        """Remove everything on screen but ``keep``: a cut between beats, like a slide change."""
        bands = [band for *_, band in self._cues]
        self.remove(*(m for m in self.mobjects if m not in keep and m not in bands))

    def play(self, *args: Any, **kwargs: Any) -> None:
        """Scene.play, plus: a caption comes and goes with its cue (at most 7 s; a narrated
        beat's next sentence), even in the middle of a long animation."""
        if not self._in_beat:
            raise RuntimeError(f"{type(self).__name__}: every animation belongs to a beat "
                               "(with self.beat(name, caption): ...)")
        animations = self.compile_animations(*args, **kwargs)
        now = self.renderer.time
        duration = self.get_run_time(animations)
        end = now + duration
        # A cue edge less than a frame from either end of this play is moved to that end: on
        # screen it is the same frame, and a hold then stays one still (holds.py), where a
        # caption changing 8 ms into a 6 s hold would make every frame of it be drawn.
        frame = 1 / self.camera.frame_rate
        self._show_cues(now + frame - 1e-9)
        def snapped(t: float) -> float:
            # <=: the hold loop in beat() leaves an edge one frame away to the play
            return now if abs(t - now) <= frame else end if abs(t - end) <= frame else t

        for t0, t1, _, band in self._cues:  # a band that comes or goes while it plays
            a, b = max(snapped(t0), now), min(snapped(t1), end)
            if band is None or b <= a + 1e-9 or (a <= now + 1e-9 and b >= end - 1e-9):
                continue
            if band not in self.mobjects:
                self.add(band)
            animations.append(shown_between(band, (a - now) / duration, (b - now) / duration,
                                            duration))
        super().play(*animations)
        self._show_cues(end)


def shown_between(caption: VGroup, start: float, end: float,
                  run_time: float) -> UpdateFromAlphaFunc:
    """Show ``caption`` from ``start`` to ``end`` (fractions) of an animation only: a cue that
    begins or ends while it plays (a cue's 7 s limit, or the next spoken sentence)."""
    def update(mob: VGroup, a: float) -> None:
        mob.set_opacity(1.0 if start <= a < end or (a >= 1.0 and end >= 1.0) else 0.0)

    return UpdateFromAlphaFunc(caption, update, run_time=run_time, rate_func=linear)
