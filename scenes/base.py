"""What every explainer scene shares: parameters and theme injection, racers, beats."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, make_dataclass
from typing import Any, ClassVar

import numpy as np
from manim import Dot, FadeIn, ManimColor, UpdateFromAlphaFunc, VGroup, VMobject, linear

from optim_core import (
    HYPERPARAMETERS,
    OPTIMIZERS,
    REGISTRY,
    Optimizer,
    Surface,
    Trajectory,
    interpolator,
    make,
    run,
    step_at,
    surfaces,
)
from optim_core.optimizers import hyperparameters
from optim_core.trajectory import WARPS
from scenes import holds
from scenes.captions import (
    MAX_CUE,
    MIN_HOLD,
    cue_lines,
    first_fitting,
    reading_time,
    spoken_cues,
)
from scenes.deck import DeckScene
from scenes.narration import PAUSE, Clip, Narration
from scenes.params import ParamError, build, param, shown
from scenes.plot2d import Piece, clip_path, reveal, set_polyline
from scenes.raster import RasterCamera
from scenes.style import (
    RACER_COLORS,
    THEMES,
    Theme,
    caption_band,
    format_number,
    optimizer_colors,
    point_text,
)

MAX_RACERS = 6  # more would not be told apart (and would not fit the legend)
MAX_LABEL = 24
BLANK = "\u115f\u1160\u3164\uffa0\u2800"  # letters and symbols drawn as nothing


def visible(text: str) -> bool:
    """Whether ``text`` draws something: a letter, digit, punctuation or symbol (not only
    spaces, combining marks or blank fillers)."""
    return any(unicodedata.category(c)[0] in "LNPS" and c not in BLANK for c in text)


class ContenderMethods:
    """What every contender does; its fields are generated from the core's declarations."""

    NEW_ENTRY_NEEDS = ("optimizer",)  # an entry added by name must say which optimizer it is

    def hyper(self) -> dict[str, float]:
        """The hyperparameters set explicitly."""
        return {k: getattr(self, k) for k in HYPERPARAMETERS if getattr(self, k, None) is not None}

    def check(self) -> None:
        if len(self.label) > MAX_LABEL:
            raise ValueError(f"label: {len(self.label)} characters; at most {MAX_LABEL} fit "
                             "the legend")
        if not self.label.isprintable():
            raise ValueError("label: only printable characters (no tabs, newlines or NUL)")
        if self.label and not visible(self.label):
            raise ValueError(f"label {shown(self.label)}: no visible character; give a name, or "
                             "'' for the optimizer's own")
        self.build()

    def build(self) -> Optimizer:
        return make(self.optimizer, **self.hyper())

    @property
    def name(self) -> str:
        return self.label or REGISTRY[self.optimizer].display

    def summary(self, without: tuple[str, ...] = ()) -> str:
        """Every effective hyperparameter, e.g. ``lr 0.1 · β₁ 0.9 · β₂ 0.999 · ε 1e-08``."""
        values = {**hyperparameters(self.optimizer), **self.hyper()}
        return " · ".join(f"{HYPERPARAMETERS[k].symbol} {v:g}" for k, v in values.items()
                          if k not in without)


def _hyper_field(h) -> tuple[str, Any, Any]:
    return (h.name, float | None, param(None, h.doc, interval=h.interval,
                                        none_means="optimizer's default"))


# An optimizer with its fixed hyperparameters, and how it is drawn (the learning rate is set by
# the scene: a sweep, or a Racer's own). One field per hyperparameter the core declares, so a
# new optimizer or hyperparameter in optim_core/optimizers.py appears here with nothing to add.
Contender = make_dataclass("Contender", [
    ("optimizer", str, param("adam", "optimizer from optim_core", choices=tuple(OPTIMIZERS))),
    *(_hyper_field(h) for h in HYPERPARAMETERS.values() if h.name != "lr"),
    ("label", str, param("", "name shown in the legend and captions ('' = the optimizer's "
                             "name)")),
    ("color", str, param("auto", "colour (Okabe-Ito palette; auto: the optimizer's own)",
                              choices=("auto", *RACER_COLORS))),
], bases=(ContenderMethods,), frozen=True)
Contender.__module__ = __name__  # where pickle (worker processes) finds it

# One optimizer in a race: a contender with its own learning rate.
Racer = make_dataclass("Racer", [_hyper_field(HYPERPARAMETERS["lr"])], bases=(Contender,),
                       frozen=True)
Racer.__module__ = __name__


@dataclass(frozen=True)
class RacerRun:
    """A racer with its computed trajectory and resolved colour."""

    key: str
    racer: Racer
    traj: Trajectory
    color: str
    pieces: list[Piece]  # the path's stretches inside the plotted domain (data coordinates)

    @property
    def name(self) -> str:
        return self.racer.name


def check_racers(racers: dict[str, Contender]) -> None:
    """At least one racer, at most as many as there are distinct colours."""
    if not racers:
        raise ValueError("racers: at least one racer is needed")
    if len(racers) > MAX_RACERS:
        raise ValueError(f"racers: {len(racers)} racers; at most {MAX_RACERS} can be told apart")


def run_racers(racers: dict[str, Racer], surface: Surface, start: Any, steps: int,
               theme: Theme) -> list[RacerRun]:
    """Run every racer from the same start; colours are resolved in order of appearance."""
    colors = optimizer_colors(racers, theme)
    out = []
    for key, racer in racers.items():
        color = colors[key]
        traj = run(racer.build(), surface, start, steps)
        pieces = clip_path(traj.position[: traj.valid_steps], surface.domain)
        out.append(RacerRun(key, racer, traj, color, pieces))
    return out


def start_caption(runs: list[RacerRun], start: Any) -> str:
    """Who races from where: the racers' names if they fit one cue, else their number."""
    names = [r.name for r in runs]
    names = " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " and " + names[-1]
    return first_fitting(f"{names} start together at {point_text(start)}.",
                         f"{len(runs)} racers start together at {point_text(start)}.")


SURFACE_DOC = (f"loss surface: one of {', '.join(surfaces.SURFACES)}, or a formula in x and y "
               "such as \"x**2 + 10*y**2\" (README: Custom surfaces)")
DOMAIN_DOC = "plotting window [xmin, xmax, ymin, ymax]"
DOMAIN_DEFAULT = "the surface's own; [-3, 3, -3, 3] for a formula"


class SurfaceChoice:
    """For parameter declarations with ``surface``, ``domain`` and ``start`` fields."""

    surface: str
    domain: tuple[float, float, float, float] | None
    start: tuple[float, float] | None

    def resolved(self) -> Surface:
        return surfaces.resolve(self.surface, self.domain)

    def start_point(self) -> tuple[float, float]:
        return self.start if self.start is not None else self.resolved().start

    def check(self) -> None:
        surface = self.resolved()  # raises ValueError with the formula's problem
        if self.start is not None and not surface.in_domain(np.array(self.start)):
            raise ValueError(f"start {list(self.start)} lies outside the plotted domain "
                             f"{list(surface.domain)} of {self.surface}")


class RacingChecks(SurfaceChoice):
    def check(self) -> None:
        check_racers(self.racers)
        super().check()


def racing_params(name: str, module: str, scene: str, *, surface: str, start_hint: str,
                  steps: int, max_steps: int, race_time: float, warp: str, warp_doc: str,
                  racers: Callable[[], dict[str, Any]],
                  extra: tuple[tuple[str, Any, Any], ...] = ()) -> type:
    """The parameter block every racing scene shares (surface, domain, start, steps, race time,
    warp, racers), declared once with the scene's defaults; ``extra`` fields come before the
    racers. ``module`` is the scene's module (where pickle finds the class)."""
    cls = make_dataclass(name, [
        ("surface", str, param(surface, SURFACE_DOC)),
        ("domain", tuple[float, float, float, float] | None,
         param(None, DOMAIN_DOC, none_means=DOMAIN_DEFAULT)),
        ("start", tuple[float, float] | None,
         param(None, "start point [x, y]", none_means=f"the surface's start, {start_hint}")),
        ("steps", int, param(steps, "optimizer steps each racer takes",
                             interval=f"[1, {max_steps}]")),
        ("race_time", float, param(race_time, "seconds of video the race plays over",
                                   interval="[2, 120]")),
        ("warp", str, param(warp, warp_doc, choices=tuple(WARPS))),
        *extra,
        ("racers", dict[str, Racer], param(default_factory=racers,
                                           doc=f"the racers, by name: {scene}.racers.NAME.KEY")),
    ], bases=(RacingChecks,), frozen=True)
    cls.__module__ = module
    return cls


class RaceDrawing:
    """The racers as the race clock runs: each a trail revealed step by step (every drawn
    vertex an optimizer iterate) and a head, with live loss readouts, the step counter and the
    inset. One updater for every racing scene; the scene says where a path piece lies
    (``lift``, once) and how points reach the screen (``project`` and ``head_at``, per frame,
    so a moving camera works)."""

    def __init__(self, runs: list[RacerRun], steps: int, warp: str, theme: Theme,
                 readouts: list[Any], inset: Any, lift: Callable[[Piece], Piece],
                 trail_width: float, head_radius: float, trail_opacity: float = 1.0):
        self.steps, self.warp, self.readouts, self.inset = steps, warp, readouts, inset
        self.racers = []
        for r in runs:
            trail = VMobject().set_stroke(r.color, width=trail_width, opacity=trail_opacity)
            head = Dot(radius=head_radius, color=r.color).set_stroke(
                theme.background, width=2, background=True)
            self.racers.append((r, [lift(pc) for pc in r.pieces], trail, head,
                                interpolator(r.traj.position[: r.traj.valid_steps])))

    @property
    def movers(self) -> list[Any]:
        return [*(m for _, _, trail, head, _ in self.racers for m in (trail, head)),
                *self.readouts, *self.inset.lines]

    def update(self, alpha: float, surface: Surface, project: Callable[[Any], Any],
               head_at: Callable[[Any], Any]) -> None:
        s = float(step_at(alpha, self.steps, self.warp))
        for (r, pieces, trail, head, where), readout in zip(self.racers, self.readouts,
                                                              strict=False):
            s_r = min(s, r.traj.valid_steps - 1)
            set_polyline(trail, [project(w) for w in reveal(pieces, s_r)])
            xy = where(s_r)
            head.move_to(head_at(xy)).set_opacity(1.0 if surface.in_domain(xy) else 0.0)
            readout.set_text(format_number(float(r.traj.loss[int(s_r)])))
        self.readouts[-1].set_text(f"{int(s):>{len(str(self.steps))}d} / {self.steps}")
        self.inset.reveal(s)


@dataclass(frozen=True)
class Beat:
    """One step of a scene's story as it was rendered: its caption and its span in the video."""

    index: int  # 1-based, in scene order
    name: str  # stable when parameters change: the beat's id is "<scene key>/<name>"
    caption: str
    start: float  # seconds from the start of the scene
    end: float
    clip: Clip | None = None  # its narration, if narrated


class ExplainerScene(DeckScene):
    """A plain Manim scene that takes a validated parameter object and a theme, told in beats.

    ``manim scenes/race.py RosenbrockRace`` renders the defaults; ``render.py`` passes
    ``params=``, ``theme=`` and ``deck_folder=`` (and ``narration=``, ``captions=``). Nothing
    touches Manim's global config.

    Every animation plays inside a beat (``with self.beat(name, caption): self.play(...)``):
    the caption is shown in the caption band, written to the .srt and used as the slide's
    speaker note, and the beat holds until the caption has been read (or spoken, if narrated).
    """

    key: ClassVar[str]  # the scene's table name in TOML and --set ("race", "saddle", ...)
    title: ClassVar[str]
    description: ClassVar[str]
    Params: ClassVar[type]

    def __init__(self, params: Any = None, theme: str | Theme = "dark",
                 narration: Narration | None = None, captions: bool = True, **kwargs: Any):
        self.params = params if params is not None else self.Params()
        self.theme = THEMES[theme] if isinstance(theme, str) else theme
        self.narration = narration  # recordings (or a draft voice) the beats are timed to
        self.captions = captions  # the caption band on screen (the .srt and notes stay)
        self._in_beat = False
        self.beats: list[Beat] = []
        self.facts: dict[str, Any] = {}  # the values the captions were computed from
        self.on_beat: Callable[[Beat], None] | None = None  # told of each beat done (progress)
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
        self.next_slide(notes=" ".join(caption.split()))
        start = self.renderer.time
        # A cue lasts at most 7 s, or as long as a longer recording; a narration spoken in
        # parts longer than 7 s gets a cue per group of parts, each on screen while it is
        # spoken (see spoken_cues).
        plan = (spoken_cues(caption, clip.parts, spoken, PAUSE) if clip is not None
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
        needed = spoken + PAUSE if clip is not None else reading_time(caption)
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
        self.remove(*(band for *_, band in self._cues if band is not None))
        self._in_beat = False
        for t0, t1, cue, _ in self._cues:
            if min(t1, end) > t0:
                self.add_subcaption("\n".join(cue), duration=min(t1, end) - t0,
                                    offset=t0 - end)
        self._cues = []
        self.beats.append(Beat(len(self.beats) + 1, name, " ".join(caption.split()), start, end,
                               clip))
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
        self._show_cues(now)
        for t0, t1, _, band in self._cues:  # a band that comes or goes while it plays
            a, b = max(t0, now), min(t1, end)
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
