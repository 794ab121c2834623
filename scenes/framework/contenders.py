"""What a scene's optimizers are, as parameters declare them: contenders (an optimizer with its
fixed hyperparameters, as a sweep runs it), racers (a contender with its own learning rate), the
surface choice and the parameter block every racing scene shares. No Manim: the command line
lists, checks and documents parameters without loading it."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import make_dataclass
from typing import Any

import numpy as np

from optim_core import HYPERPARAMETERS, OPTIMIZERS, REGISTRY, Optimizer, Surface, make, surfaces
from optim_core.optimizers import hyperparameters
from optim_core.trajectory import WARPS
from scenes.framework.numbers import readable
from scenes.framework.palette import RACER_COLORS
from scenes.framework.params import Interval, param, shown

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
        """Every effective hyperparameter, e.g. ``α 0.1 · β₁ 0.9 · β₂ 0.999 · ε 10⁻⁸``."""
        values = {**hyperparameters(self.optimizer), **self.hyper()}
        return " · ".join(f"{HYPERPARAMETERS[k].symbol} {readable(v)}" for k, v in values.items()
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


def check_racers(racers: dict[str, Contender]) -> None:
    """At least one racer, at most as many as there are distinct colours."""
    if not racers:
        raise ValueError("racers: at least one racer is needed")
    if len(racers) > MAX_RACERS:
        raise ValueError(f"racers: {len(racers)} racers; at most {MAX_RACERS} can be told apart")


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
