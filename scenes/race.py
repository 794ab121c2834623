"""Scene 5: the race on the Rosenbrock valley (SGD against Adam; more racers welcome).

    manim -ql scenes/race.py RosenbrockRace
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    DR,
    LEFT,
    RIGHT,
    UL,
    UP,
    Circle,
    Cross,
    FadeIn,
    Star,
    UpdateFromAlphaFunc,
    VGroup,
    linear,
)

from optim_core import Surface, Trajectory
from optim_core.analysis import RacerOutcome, outcomes
from scenes.catalog import CATALOG
from scenes.framework.captions import first_fitting
from scenes.framework.numbers import readable
from scenes.framework.plot2d import (
    LogInset,
    Piece,
    PlaneMap,
    contour_lines,
    field_raster,
    plot_frame,
)
from scenes.framework.racers import (
    RaceDrawing,
    RacerRun,
    SameRate,
    rerun_at_rate,
    run_racers,
    same_rate_beat,
    show_step,
    start_caption,
    to_the_end,
)
from scenes.framework.raster import Raster
from scenes.framework.scene import ExplainerScene
from scenes.framework.style import (
    MANY_RACERS,
    PICTURE_TOP,
    TINY,
    Readout,
    fit_width,
    formula,
    number,
    point_text,
    racer_legend,
    scene_title,
    stack,
    text,
)

# --- the outcome, computed from the trajectories -------------------------------------------------

def step_count(n: int) -> str:
    return f"{n} step{'' if n == 1 else 's'}"


def outcome_captions(results: list[RacerOutcome], steps: int, tolerance: float,
                     one_minimum: bool = False) -> list[str]:
    """What the data says, one short caption per fact (no claim the numbers do not support);
    ``one_minimum``: the surface has one, so it is "the minimum"."""
    lines = []
    a_minimum = "the minimum" if one_minimum else "a minimum"
    span = step_count(steps)
    tol = f"within {tolerance:g}"
    for o in results:
        if o.diverged_at is not None:
            lines.append(f"{o.name} diverged at step {o.diverged_at}.")
            continue
        left = f" (it left the plot at step {o.left_plot_at})" if o.left_plot_at is not None else ""
        if o.minimum is None:
            lines.append(f"{o.name} ends at loss {number(o.final_loss)} after {span}"
                         f"{left}.")
        elif o.reached_at is not None:
            lines.append(f"{o.name} reached {point_text(o.reached)} ({tol}) at step "
                         f"{o.reached_at}{left}.")
        else:
            lines.append(f"{o.name} ends {o.distance:.3g} from {point_text(o.minimum)} after "
                         f"{span}{left}.")
    finished = [o for o in results if o.diverged_at is None]
    reached = sorted((o for o in finished if o.reached_at is not None), key=lambda o: o.reached_at)
    if len(reached) >= 2 and len(reached) == len(finished):
        first, second = reached[:2]
        gap = second.reached_at - first.reached_at
        lines.append(f"{first.name} and {second.name} arrived at the same step." if gap == 0
                     else f"{first.name} arrived first, {step_count(gap)} before {second.name}.")
    elif len(finished) >= 2:
        best, runner = sorted(finished, key=lambda o: o.final_loss)[:2]
        lo, hi = best.final_loss, runner.final_loss
        if 0 <= lo < TINY < hi:
            lines.append(f"{best.name} ends with a loss {'of 0' if lo == 0 else number(lo)}; "
                         f"{runner.name} with {number(hi)}.")
        elif lo > 0 and hi / lo >= 1.05:  # a ratio only means something between positive losses
            lines.append(f"{best.name} ends {hi / lo:.3g}x lower in loss than {runner.name}.")
        elif lo <= 0 and hi - lo > 1e-9 * max(1.0, abs(lo)):
            lines.append(f"{best.name} ends {hi - lo:.3g} lower in loss than {runner.name}.")
        else:
            lines.append(f"{best.name} and {runner.name} end level in loss.")
    if finished and finished[0].minimum is not None and all(o.reached_at is None
                                                            for o in results):
        lines.append(f"No racer came {tol} of {a_minimum} in {span}."
                     if len(finished) > 1 else
                     f"{finished[0].name} did not come {tol} of {a_minimum} in {span}.")
    return lines


def lead_caption(runs: list[RacerRun]) -> str | None:
    """Who led in loss, step by step, for two racers that both finish: the one ending lower
    trails until the last step where it was not below the other, or leads from the start.
    None for another line-up or where a run diverged."""
    if len(runs) != 2 or any(r.traj.diverged for r in runs):
        return None
    a, b = (np.asarray(r.traj.loss[: r.traj.valid_steps], dtype=float) for r in runs)
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    if a[-1] == b[-1]:
        return None
    win, lose, w, v = (runs[0], runs[1], a, b) if a[-1] < b[-1] else (runs[1], runs[0], b, a)
    behind = np.flatnonzero(w >= v)
    if behind.size == 0:
        return f"{win.name} is lower in loss than {lose.name} at every step."
    return first_fitting(f"{win.name} trails {lose.name} in loss until step {behind[-1]}, then "
                         "stays ahead.", f"{win.name} leads in loss only after step "
                                          f"{behind[-1]}.")


def same_rate_caption(runs: list[RacerRun], surface: Surface, steps: int,
                      tolerance: float) -> SameRate | None:
    """Whether the racer that divides by its own √v races at a larger α only because the
    other could not: the other run again at its α (``rerun_at_rate``), and how that run ended."""
    again = rerun_at_rate(runs, surface, steps)
    if again is None:
        return None
    fast, slow, lr = again.fast.name, again.slow.name, readable(again.lr)
    (o,) = outcomes([NamedRun(slow, again.traj)], surface, tolerance)
    a_minimum, nearest = (("the minimum", "the minimum") if len(surface.minima) == 1 else
                          ("a minimum", "the nearest minimum"))
    if o.diverged_at is not None:
        end, short = f"diverges at step {o.diverged_at}", f"diverges at step {o.diverged_at}"
    elif o.minimum is None:
        end = short = f"ends at loss {number(o.final_loss)}"
    elif o.reached_at is not None:
        end = f"comes within {tolerance:g} of {a_minimum} at step {o.reached_at}"
        short = f"within {tolerance:g} at step {o.reached_at}"
    else:
        end = f"ends {o.distance:.3g} from {nearest}"
        short = f"ends {o.distance:.3g} from {a_minimum}"
    loss = again.traj.loss[: again.traj.valid_steps] - loss_floor(surface, [r.traj for r in runs])
    return SameRate(first_fitting(f"At {fast}'s α = {lr}, {slow} {end}.",
                                  f"At α = {lr}, {slow} {end}."),
                    f"{slow} at α = {lr}: {short}", again.slow.color, to_the_end(loss, steps))


def loss_floor(surface: Surface, trajs: list[Trajectory]) -> float:
    """Where the loss inset's log scale starts: the lowest minimum's loss, or, on a surface
    with none, the lowest loss a racer met."""
    floors = [float(surface.f(c.x, c.y)) for c in surface.minima]
    return min(floors) if floors else min(float(t.loss[: t.valid_steps].min()) for t in trajs)


@dataclass(frozen=True)
class NamedRun:
    """A run as ``outcomes`` reads it: a name and a trajectory."""

    name: str
    traj: Trajectory


# --- the scene -----------------------------------------------------------------------------------

PLOT_SIZE = 5.3
PLOT_CENTER = np.array([-3.6, 0.12, 0.0])
PANEL_LEFT = 0.45
PANEL_WIDTH = 6.2
INSET_SIZE = (4.6, 1.7)


class RosenbrockRace(ExplainerScene):
    entry = CATALOG["race"]  # its key, title, description and Params

    def construct(self) -> None:
        p, th = self.params, self.theme
        surface, start = p.resolved(), p.start_point()
        runs = run_racers(p.racers, surface, start, p.steps, th)
        results = outcomes(runs, surface, p.tolerance)
        self.facts.update(surface=surface.title, start=start, outcomes=results)

        # Beat 1: the landscape.
        self.idea(f"The race on the {surface.title}", "surface", "start")
        pm, field, lines = self.landscape(surface)
        heading = self.heading(runs, surface)
        with self.beat("landscape", first_fitting(f"The {surface.title}: {surface.lesson}.",
                                     f"The {surface.title}.")):
            self.add(field)
            title = (self.title if surface.name == "rosenbrock" else
                     f"The race on the {surface.title}")
            self.play(FadeIn(scene_title(title, th)), FadeIn(lines), FadeIn(heading),
                      run_time=1.0)

        # Beat 2: where they start, where the minimum is, who races.
        marks = self.marks(surface, pm, start)
        legend, readouts = self.legend(runs, heading)
        show_step(readouts, runs, 0, p.steps)  # the legend shows where they start
        with self.beat("start", start_caption(runs, start)):
            self.play(FadeIn(marks), FadeIn(legend), FadeIn(VGroup(*readouts)), run_time=1.0)

        # Beat 3: the race, every drawn point an optimizer iterate.
        clock = {"linear": "the clock runs at one pace",
                 "ease": "the clock runs slower at first, so the first steps show",
                 "log": "the clock runs on a log scale, so the first steps show"}[p.warp]
        inset = self.loss_inset(runs, surface, legend)
        with self.beat("race",
                       first_fitting(f"{p.steps} steps each; {clock}.", f"{p.steps} steps each.")):
            self.add(inset.group)
            self.play(self.race(runs, surface, pm, readouts, inset), run_time=p.race_time,
                      rate_func=linear)

        # Beats 4+: what the data says, one fact a beat; the ends of the paths marked.
        self.readouts = readouts  # what the viewer saw, for tests
        self.caption_lines = outcome_captions(results, p.steps, p.tolerance,
                                              len(surface.minima) == 1)
        if (lead := lead_caption(runs)) is not None:  # the inset's crossing, in words
            self.caption_lines.insert(len(results), lead)
        marks = self.ending(runs, results, pm, surface)
        self.idea("Where each racer ends", "outcomes")
        self.fact_beats(self.caption_lines, marks)
        same_rate = same_rate_caption(runs, surface, p.steps, p.tolerance)
        same_rate_beat(self, same_rate, inset)  # did the winner only win by a larger α?

    # --- helpers ---------------------------------------------------------------------------------

    def landscape(self, surface: Surface) -> tuple[PlaneMap, Raster, VGroup]:
        """Colour field, then contours and a framed plot with ticks: all static."""
        pm = PlaneMap.fit(surface.domain, PLOT_SIZE, PLOT_SIZE, PLOT_CENTER)
        x0, x1, y0, y1 = surface.domain
        labels = VGroup(
            text("x", self.theme, 24).next_to(pm(np.array([x1, y0])), DR, buff=0.12),
            text("y", self.theme, 24).next_to(pm(np.array([x0, y1])), UL, buff=0.12))
        lines = VGroup(contour_lines(surface, pm, self.theme),
                       plot_frame(surface.domain, pm, self.theme), labels)
        return pm, field_raster(surface, pm, self.theme), lines

    def heading(self, runs: list[RacerRun], surface: Surface) -> VGroup:
        title = fit_width(text(" vs ".join(r.name for r in runs), self.theme, 32, weight="BOLD"),
                          PANEL_WIDTH)
        latex = fit_width(formula(self.theme, surface.latex, size=30), PANEL_WIDTH)
        block = stack(title, latex, buff=0.2)
        return block.move_to([PANEL_LEFT, PICTURE_TOP, 0], aligned_edge=UL)

    def marks(self, surface: Surface, pm: PlaneMap, start) -> VGroup:
        th = self.theme
        out = VGroup()
        for c in surface.critical_points:
            if c.kind == "minimum":
                star = Star(n=5, outer_radius=0.13, color=th.marker, fill_opacity=1,
                            stroke_width=1).move_to(pm(c.point))
                out.add(star)
        ring = Circle(radius=0.11, color=th.marker, stroke_width=3).move_to(pm(np.array(start)))
        label = text("start", th, 20).next_to(ring, toward_centre(surface, start), buff=0.08)
        minima = surface.minima
        if len(minima) == 1:
            out.add(text(f"minimum {point_text(minima[0].point)}", th, 20)
                    .next_to(out[0], UP, buff=0.08))
        return out.add(ring, label)

    def legend(self, runs: list[RacerRun], heading: VGroup) -> tuple[VGroup, list[Readout]]:
        """One row per racer (name, hyperparameters, live loss), then the shared step counter."""
        return racer_legend([(r.name, r.color, r.racer.summary()) for r in runs], self.theme,
                            "loss", below=heading, size=27 if len(runs) <= 2 else 22)

    def loss_inset(self, runs: list[RacerRun], surface: Surface, legend: VGroup) -> LogInset:
        """Each racer's loss against the step, log scale, measured from the lowest minimum
        (or, without one, from the lowest loss any racer met)."""
        losses = [r.traj.loss[: r.traj.valid_steps] for r in runs]
        floor = loss_floor(surface, [r.traj for r in runs])
        title = ("loss (log) by step" if floor == 0 else
                 "loss above the lowest minimum (log) by step" if surface.minima else
                 "loss above the lowest reached (log) by step")
        return LogInset([(r.color, v - floor) for r, v in zip(runs, losses, strict=True)],
                        self.params.steps, INSET_SIZE, title, self.theme
                        ).place(legend, PANEL_LEFT + 0.1,
                                buff=0.3 if len(runs) >= MANY_RACERS else 0.45)

    def race(self, runs: list[RacerRun], surface: Surface, pm: PlaneMap,
             readouts: list[Readout], inset: LogInset) -> UpdateFromAlphaFunc:
        drawing = RaceDrawing(runs, self.params.steps, self.params.warp, self.theme, readouts,
                              inset, lift=lambda pc: Piece(pc.steps, pm(pc.points)),
                              trail_width=3, head_radius=0.075, trail_opacity=0.95)
        movers = VGroup(*drawing.movers)

        def update(group: VGroup, alpha: float) -> None:
            drawing.update(alpha, surface, project=lambda points: points, head_at=pm)

        update(movers, 0.0)
        self.add(movers)
        return UpdateFromAlphaFunc(movers, update)

    def ending(self, runs, results, pm, surface) -> VGroup:
        """A cross and a short label where a path stops early (diverged or left the plot)."""
        th = self.theme
        out = VGroup()
        for r, o in zip(runs, results, strict=True):
            stop = o.diverged_at if o.diverged_at is not None else o.left_plot_at
            if stop is None:
                continue
            # Mark where the drawn path ends: its last point inside the plot.
            end = r.pieces[-1].points[-1] if r.pieces else np.array(r.traj.position[0])
            cross = Cross(scale_factor=0.12, stroke_color=r.color, stroke_width=5).move_to(pm(end))
            verb = "diverged" if o.diverged_at is not None else "left the plot"
            label = text(f"{verb} at step {stop}", th, 18, color=r.color)
            inward = LEFT if end[0] > np.mean(surface.domain[:2]) else RIGHT
            label.next_to(cross, inward + 0.6 * toward_centre(surface, end), buff=0.08)
            out.add(cross, label)
        return out


def toward_centre(surface: Surface, p) -> np.ndarray:
    """UP or DOWN, whichever points from ``p`` into the plot (labels stay inside the frame)."""
    _, _, y0, y1 = surface.domain
    return UP if p[1] < (y0 + y1) / 2 else DOWN
