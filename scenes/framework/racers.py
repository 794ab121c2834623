"""Racers as a race draws them: each racer's run from the shared start, its trail and head, the
live readouts (what a racer is, as parameters declare it: ``contenders``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from manim import Create, Dot, FadeIn, VMobject

from optim_core import (
    REGISTRY,
    Surface,
    Trajectory,
    interpolator,
    run,
    step_at,
)
from scenes.framework.captions import first_fitting
from scenes.framework.contenders import Racer
from scenes.framework.palette import Theme, optimizer_colors
from scenes.framework.plot2d import Piece, clip_path, reveal, set_polyline
from scenes.framework.style import format_number, point_text


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


@dataclass(frozen=True)
class Rerun:
    """The plain racer run again at the rate of the racer that divides by its own √v."""

    fast: RacerRun  # the scale-free racer (Adam and its kin)
    slow: RacerRun  # the plain one (gradient descent, momentum)
    lr: float  # the fast racer's α, at which the slow one ran again
    traj: Trajectory


def rerun_at_rate(runs: Sequence[RacerRun], surface: Surface, steps: int) -> Rerun | None:
    """Did a scale-free racer win only by a larger α? For a race of one optimizer that divides
    by its own √v against one that does not, at different rates: the second run again, from
    the same start, at the first one's α. None for any other line-up."""
    free = [r for r in runs if REGISTRY[r.racer.optimizer].scale_free]
    plain = [r for r in runs if not REGISTRY[r.racer.optimizer].scale_free]
    if len(free) != 1 or len(plain) != 1:
        return None
    (fast,), (slow,) = free, plain
    lr = fast.racer.build().hyperparams["lr"]
    if slow.racer.build().hyperparams["lr"] == lr:
        return None
    again = dataclasses.replace(slow.racer, lr=lr).build()
    return Rerun(fast, slow, lr, run(again, surface, slow.traj.position[0], steps))


@dataclass(frozen=True)
class SameRate:
    """What a scene says of its rerun (``rerun_at_rate``): the caption, the short line written
    above the inset, the plain racer's colour, the rerun's series on the scene's inset (drawn
    dashed beside the raced ones) and, where the data shows one, the reason in further
    captions."""

    caption: str
    line: str
    color: str
    series: Any  # np.ndarray, on the inset's scale
    why: tuple[str, ...] = ()  # the reason, a caption each


def same_rate_beat(scene: Any, said: SameRate | None, inset: Any) -> None:
    """The beat that says how the plain racer fared at the winner's α: the line written in the
    gap above the scene's inset and the rerun drawn dashed on it; then its reason, if any.
    Nothing when the line-up has no such rerun."""
    if said is None:
        return
    scene.caption_lines.append(said.caption)
    right = scene.camera.frame_width / 2 - 0.3  # the frame's edge less a margin
    note = inset.note(said.line, right, said.color)
    with scene.beat("same-rate", said.caption):
        scene.play(FadeIn(note), Create(inset.trace(said.series, said.color)), run_time=1.0)
    for i, why in enumerate(said.why, start=1):
        scene.caption_lines.append(why)
        with scene.beat(f"same-rate-why-{i}", why):
            pass


def show_step(readouts: list[Any], runs: Sequence[RacerRun], step: float, steps: int) -> None:
    """The readouts at race step ``step``: each racer's loss there (its last valid one after
    it stopped), then the counter."""
    for r, readout in zip(runs, readouts, strict=False):
        readout.set_text(format_number(float(r.traj.loss[int(min(step, r.traj.valid_steps - 1))])))
    readouts[-1].set_text(f"{int(step):>{len(str(steps))}d} / {steps}")


def to_the_end(values: Any, steps: int) -> Any:
    """A run's series on an inset, its valid rows then inf up to ``steps``: a run that
    diverged is drawn off the chart's top (``LogInset.trace``)."""
    return np.concatenate([values, np.full(steps + 1 - len(values), np.inf)])


class Named(Protocol):
    @property
    def name(self) -> str: ...


def start_caption(runs: Sequence[Named], start: Any) -> str:
    """Who races from where: the racers' names if they fit one cue, else their number."""
    names = [r.name for r in runs]
    names = " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " and " + names[-1]
    return first_fitting(f"{names} start together at {point_text(start)}.",
                         f"{len(runs)} racers start together at {point_text(start)}.")


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
        self.runs = runs
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
        for r, pieces, trail, head, where in self.racers:
            s_r = min(s, r.traj.valid_steps - 1)
            set_polyline(trail, [project(w) for w in reveal(pieces, s_r)])
            xy = where(s_r)
            head.move_to(head_at(xy)).set_opacity(1.0 if surface.in_domain(xy) else 0.0)
        show_step(self.readouts, self.runs, s, self.steps)
        self.inset.reveal(s)


