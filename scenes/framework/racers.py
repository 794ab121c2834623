"""Racers: optimizers with their hyperparameters, as parameters declare them and as a race
draws them (the shared parameter block of every racing scene, the trails and heads)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, make_dataclass
from typing import Any, Protocol

import numpy as np
from manim import Dot, VMobject

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
from scenes.framework.captions import first_fitting
from scenes.framework.params import Interval, param, shown
from scenes.framework.plot2d import Piece, clip_path, reveal, set_polyline
from scenes.framework.style import (
    RACER_COLORS,
    Theme,
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
    interval = Interval(h.low, h.high, h.low_closed, h.high_closed)
    return (h.name, float | None, param(None, h.doc, interval=interval,
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


class Named(Protocol):
    @property
    def name(self) -> str: ...


def start_caption(runs: Sequence[Named], start: Any) -> str:
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


