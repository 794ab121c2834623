"""Scene 7: which learning rates work, and why. Thousands of runs over a sweep of learning rates.

    manim -ql scenes/tuning.py TuningSweep

Every optimizer of a declared table runs from the same random starts at every learning rate of a
log-spaced sweep (the rates are a batch axis of one core call, :mod:`optim_core.sweep`). The
chart shows summaries only (median and 10-90 % band per rate, the share of runs that diverged),
so the cost of a frame does not grow with the number of runs. Every caption is computed from the
sweep: the range of rates where each optimizer works, where runs first diverge, who works over
the widest range, and "none of them works" when that is what the sweep says.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Circle,
    DashedLine,
    FadeIn,
    Group,
    Line,
    Rectangle,
    Star,
    UpdateFromAlphaFunc,
    VGroup,
    VMobject,
    linear,
)

from optim_core import Surface, make
from optim_core.optimizers import REGISTRY, hyperparameters
from optim_core.sweep import (
    Shift,
    Sweep,
    Verdict,
    lr_sweep,
    random_starts,
    shift,
    verdict,
    widened,
    widest,
)
from optim_core.trajectory import run_ends
from scenes.catalog import CATALOG, TuningParams
from scenes.framework.captions import first_fitting, names_list
from scenes.framework.contenders import (
    Contender,
)
from scenes.framework.numbers import decade, rate_range, readable
from scenes.framework.palette import optimizer_colors
from scenes.framework.plot2d import (
    PlaneMap,
    contour_lines,
    dot_cloud,
    field_raster,
    plot_frame,
    set_polyline,
    small,
)
from scenes.framework.scene import ExplainerScene
from scenes.framework.style import (
    FRAME_LEFT,
    FRAME_RIGHT,
    MARGIN,
    PICTURE_TOP,
    above_paths,
    fit_width,
    formula,
    line_height,
    scene_title,
    stack,
    swatch,
    text,
)


def swept(key: str, contender: Contender, lrs: np.ndarray, starts: np.ndarray,
          surface: Surface, steps: int) -> Sweep:
    """One batched sweep of one optimizer of the table, named by its table key."""
    s = lr_sweep(contender.optimizer, lrs, starts, surface, steps, **contender.hyper())
    return Sweep(key, s.lrs, s.final, s.diverged_at, s.floor)


def sweep_all(p: TuningParams, surface: Surface, starts: np.ndarray) -> list[Sweep]:
    """One batched sweep per optimizer of the table, each named by its table key."""
    return [swept(key, c, p.rates(), starts, surface, p.steps) for key, c in p.optimizers.items()]


def scale_sweeps(p: TuningParams, surface: Surface, starts: np.ndarray,
                 grid: np.ndarray) -> dict[str, dict[float, Verdict]]:
    """Per optimizer of the table, its verdict on ``grid`` with the loss as it is and times
    ``loss_scale`` and its inverse (the threshold scaled alike: the same closeness to the
    minimum)."""
    out = {}
    for key, contender in p.optimizers.items():
        out[key] = {}
        for scale in (1.0, p.loss_scale, 1 / p.loss_scale):
            out[key][scale] = verdict(swept(key, contender, grid, starts,
                                            surface.scaled(scale), p.steps), p.threshold * scale)
    return out


# --- what the sweep says, in words ----------------------------------------------------------------

def rate(v: float) -> str:
    return f"α = {readable(v)}"


def verdict_caption(name: str, v: Verdict, n_rates: int) -> str:
    """One optimizer's result: where it works (or its best), then where runs first diverge."""
    if not v.works:
        if np.isinf(v.best_median):
            works = f"{name} never ends below {readable(v.threshold)}: most runs diverge."
        else:
            works = (f"{name} never ends below {readable(v.threshold)}; "
                     f"at best {readable(v.best_median)}.")
    elif len(v.works) == 1:
        works = f"{name} works only at {rate(v.works[0])}."
    elif v.contiguous:
        works = f"{name} works from {rate_range(v.works[0], v.works[-1])}."
    else:
        works = (f"{name} works at {len(v.works)} of {n_rates} rates, "
                 f"{rate(v.works[0])} to {readable(v.works[-1])}.")
    diverges = ("No run diverges." if v.first_diverged is None else
                f"First divergence at {rate(v.first_diverged)}.")
    return first_fitting(f"{works} {diverges}", works)


def widest_caption(names: dict[str, str], verdicts: list[Verdict], steps: int) -> str:
    """Who works over the widest range of rates, ties and "none" included."""
    return widest_range(names, verdicts, f"None of them ends below "
                        f"{readable(verdicts[0].threshold)} in {steps} steps, at any α.")


def widest_range(names: dict[str, str], verdicts: list[Verdict], none_works: str) -> str:
    """Who works over the widest range of rates (ties included; the sweep of the network
    says it too); ``none_works`` when none works at any rate."""
    best = widest(verdicts)
    if not best:
        return none_works
    working = [v for v in verdicts if v.works]
    who = names_list([names[v.optimizer] for v in best])
    if len(working) == 1:
        return f"Only {who} works at any α here."
    if len(best) > 1:
        return first_fitting(f"{who} tie for the widest range of working α.",
                             f"{len(best)} optimizers tie for the widest range of α.")
    v = best[0]
    span = (f"a {readable(v.works[-1] / v.works[0])}x range" if v.contiguous
            else f"{len(v.works)} rates")
    return f"{who} works over the widest range of α: {span}."


def scaled(scale: float) -> str:
    """The scaled loss, ``J×100``: one word, so a caption line never breaks inside it."""
    return "J" if scale == 1 else f"J×{readable(scale)}"


def shrunk(factor: float) -> str:
    """The loss on a surface shrunk ``factor`` times, ``J(100θ)``: one word too."""
    return f"J({readable(factor)}θ)"


def span(rates: tuple[float, ...]) -> str:
    """Rates in words: ``0.1``, or ``0.1 to 3.16``."""
    if len(rates) == 1:
        return readable(rates[0])
    return f"{readable(rates[0])} to {readable(rates[-1])}"


def moved(s: Shift) -> str:
    """What the loss's scale did to one optimizer's rates, in a few words."""
    if not s.after:
        return "none left"
    if s.after == s.before:
        return "unchanged"
    f = s.factor
    if f is None:
        return f"now {span(s.after)}"
    return f"{readable(f)}x lower" if f > 1 else f"{readable(1 / f)}x higher"


def unchanged(up: Shift, down: Shift) -> bool:
    """Whether an optimizer kept its rates with the loss times the scale and its inverse."""
    return up.after == up.before and down.after == down.before


def shift_caption(name: str, up: Shift, down: Shift) -> str:
    """Where one optimizer's working rates (its best rate, if it works at none) went when the
    loss was multiplied by the scale and by its inverse."""
    what = f"{name}'s {'working' if up.kind == 'working' else 'best'} α"
    if unchanged(up, down):
        return first_fitting(f"{what} stays at {span(up.before)} with {scaled(up.scale)} and "
                             f"with {scaled(down.scale)}.",
                             f"{what} stays at {span(up.before)} at every scale.",
                             f"{name}: unchanged at every scale.")
    return first_fitting(f"{what}: {moved(up)} with {scaled(up.scale)}, {moved(down)} with "
                         f"{scaled(down.scale)}.",
                         f"{name}: {moved(up)} with {scaled(up.scale)}, {moved(down)} with "
                         f"{scaled(down.scale)}.")


def scale_lesson(names: dict[str, str], shifts: dict[str, tuple[Shift, Shift]]) -> str:
    """Who keeps its rates whatever the loss's scale, and who would need tuning again."""
    kept = [names[k] for k, (up, down) in shifts.items()
            if unchanged(up, down)]
    went = [names[k] for k in shifts if names[k] not in kept]
    if not went:
        return "Every optimizer keeps its α, whatever the loss's scale."
    if not kept:
        return "Every optimizer's α moves with the loss's scale: each needs tuning again."
    verb = "keeps its" if len(kept) == 1 else "keep their"
    return first_fitting(f"{names_list(kept)} {verb} α at every scale; {names_list(went)} "
                         "must be retuned.",
                         f"{len(kept)} keep their α at every scale; {len(went)} must be "
                         "tuned again.")


def scale_reason(kinds: dict[str, str], shifts: dict[str, tuple[Shift, Shift]]) -> str | None:
    """Why the loss's scale moved some optimizers' α and not others', from Algorithm 1: times
    c, every gradient, m̂ and √v̂ grow c-fold, so m̂/√v̂ does not (ε aside), while α·g does.
    Said only when this sweep agrees: every optimizer that divides by √v kept its α, and
    every other one's moved; None otherwise (or when none divides)."""
    kept = {k: unchanged(*pair) for k, pair in shifts.items()}
    dividers = [k for k in shifts if REGISTRY[kinds[k]].scale_free]
    others = [k for k in shifts if not REGISTRY[kinds[k]].scale_free]
    if not dividers or not all(kept[k] for k in dividers) or any(kept[k] for k in others):
        return None
    if not others:
        return "Why: J × c makes g, m̂ and √v̂ all c times larger; m̂/√v̂ stays the same."
    return "Why: J × c makes every g, and so α·g, c times larger; m̂/√v̂ stays the same."


def usual_caption(names: dict[str, str], verdicts: list[Verdict],
                  optimizers: dict[str, Contender]) -> str:
    """Where deep learning's usual α (Adam's default) stands against Adam's working rates."""
    usual = hyperparameters("adam")["lr"]
    said = f"The usual α = {readable(usual)}"
    adams = [v for v in verdicts if optimizers[v.optimizer].optimizer == "adam"]
    if not adams:
        return f"{said} is Adam's default; this sweep has no Adam."
    v, name = adams[0], names[adams[0].optimizer]
    if not v.works:
        return first_fitting(f"{name} works at no α of this sweep, so not at {said[4:]} either.",
                             f"{name} works at no α here, so not at {readable(usual)} either.")
    lo, hi = v.works[0], v.works[-1]
    if usual < lo:
        where = f"{said} is {readable(lo / usual)}x below {name}'s"
    elif usual > hi:
        where = f"{said} is {readable(usual / hi)}x above {name}'s"
    elif v.contiguous:
        return f"{said} lies inside {name}'s working range here, {span(v.works)}."
    else:
        works = np.array(v.works)
        inside = bool(np.any(np.isclose(works, usual, rtol=1e-9)))
        return (f"{said} is one of {name}'s working rates here." if inside else
                f"{said} falls between {name}'s working rates here.")
    return first_fitting(f"{where} working range: α is a step in the units of θ.",
                         f"{where} range: α is a step in the units of θ.",
                         f"{where} working range here.")


def shrink_sweeps(p: TuningParams, surface: Surface, starts: np.ndarray,
                  grid: np.ndarray) -> dict[str, Verdict]:
    """Per Adam of the table, its verdict on ``grid`` with the surface shrunk ``loss_scale``
    times (every distance, the starts with it; the heights, and so the threshold, kept)."""
    k = p.loss_scale
    return {key: verdict(swept(key, c, grid, starts / k, surface.shrunk(k), p.steps),
                         p.threshold)
            for key, c in p.optimizers.items() if c.optimizer == "adam"}


def follows(s: Shift) -> bool:
    """Whether the rates moved exactly as far as the distances did (``s.scale`` times)."""
    return s.factor is not None and bool(np.isclose(s.factor, s.scale, rtol=1e-6))


def shrink_caption(name: str, s: Shift) -> str:
    """Where one optimizer's rates went with the surface shrunk ``s.scale`` times."""
    what = f"{name}'s {'working' if s.kind == 'working' else 'best'} α"
    now = f": {span(s.after)}" if s.after else ""
    if follows(s):
        return first_fitting(f"{what} moves {readable(s.scale)}x lower, like the "
                             f"distances{now}.",
                             f"{name}'s α moves {readable(s.scale)}x lower, like the distances.")
    return first_fitting(f"{what}: {moved(s)} with {shrunk(s.scale)}.",
                         f"{name}: {moved(s)} with {shrunk(s.scale)}.")


def works_at(v: Verdict, rate: float) -> bool:
    return bool(v.works) and bool(np.any(np.isclose(v.works, rate, rtol=1e-9)))


def shrunk_usual(usual: float, before: dict[str, Verdict], shrinks: dict[str, Verdict],
                 factor: float, names: dict[str, str]) -> str | None:
    """Whether the usual α works for an Adam on the shrunk surface where it did not on the
    surface as it is (None if for none)."""
    fits = [names[k] for k, v in shrinks.items()
            if works_at(v, usual) and not works_at(before[k], usual)]
    if not fits:
        return None
    who = "" if len(shrinks) == 1 else f" for {names_list(fits)}"
    return first_fitting(f"Now the usual α = {readable(usual)} works{who}: every distance is "
                         f"{readable(factor)}x shorter.",
                         f"Now the usual α = {readable(usual)} works{who}.",
                         f"Now the usual α = {readable(usual)} works for {len(fits)} of them.")


def shrink_lesson(loss_shifts: dict[str, tuple[Shift, Shift]],
                  shrinks: dict[str, Shift]) -> str | None:
    """The conclusion, said only when every Adam of the table kept its rates at every loss
    scale and moved them exactly with the distances: α is a distance, not a gradient's
    multiplier. None otherwise."""
    if not shrinks or not all(unchanged(*loss_shifts[k]) and follows(s)
                              for k, s in shrinks.items()):
        return None
    return first_fitting("So Adam's α is set by how far the weights must go, not by how "
                         "steep the loss is.", "So Adam's α is a distance, not a slope.")


BestRun = tuple[Any, int, int]  # an optimizer's runs at its best rate, how many end below the
# threshold, how many diverge


def best_runs(p: TuningParams, surface: Surface, starts: np.ndarray, verdicts: list[Verdict],
              floor: float) -> list[BestRun]:
    """Every start run again at each optimizer's best rate, with its paths."""
    out = []
    for v in verdicts:
        contender = p.optimizers[v.optimizer]
        traj = run_ends(make(contender.optimizer, lr=v.best_lr, **contender.hyper()),
                        surface, starts, p.steps, path=True)
        out.append((traj, int(np.sum(traj.final - floor < p.threshold)),
                    int(np.sum(traj.diverged_at >= 0))))
    return out


def best_caption(names: list[str], below: list[int], starts: int, goal: str,
                 adams: set[str]) -> str:
    """Who, each at its best rate, ends ``goal`` ("below 0.01") from the most starts; where that
    is not Adam, Adam's own count beside it (its case is the range, said next, not the best)."""
    most = max(below)
    leaders = [n for n, b in zip(names, below, strict=True) if b == most]
    who = names_list(leaders)
    tie = (f"{len(leaders)} tie at their best α: {most} of {starts} starts {goal}."
           if len(leaders) > 1 else f"Most starts {goal}: {who}, {most}.")
    lead = (f"At its best α, {who} ends {goal} from the most starts: {most} of {starts}."
            if len(leaders) == 1 else
            f"At their best α, {who} end {goal} from the most starts: {most} of {starts}.")
    if most == 0:
        return f"At its best α, no optimizer ends {goal} from any of the {starts} starts."
    behind = [(n, b) for n, b in zip(names, below, strict=True) if n in adams and b < most]
    if not behind:
        return first_fitting(lead, f"Most starts {goal} at the best α: {who}, {most}.", tie)
    name, count = behind[0]
    return first_fitting(f"{lead[:-1]}; {name}, {count}.",
                         f"Most starts {goal} at the best α: {who}, {most}; {name}, {count}.",
                         f"Most starts {goal}: {who}, {most} of {starts}; {name}, {count}.",
                         f"{tie[:-1]}; {name}, {count}.",
                         f"Most starts: {who}, {most} of {starts}; {name}, {count}.")


def usual_below(verdicts: list[Verdict], optimizers: dict[str, Contender]) -> bool:
    """Whether the usual α lies below the lowest rate at which Adam works in this sweep."""
    usual = hyperparameters("adam")["lr"]
    return any(v.works and usual < v.works[0] for v in verdicts
               if optimizers[v.optimizer].optimizer == "adam")


def reach_caption(usual: float, steps: int, starts: np.ndarray, surface: Surface) -> str | None:
    """Why the usual α is too small here: ``steps`` steps of at most about α cover about
    steps × α, less than the median distance from a start to its nearest minimum. None when
    they would cover it (or the surface has no minimum)."""
    if not surface.minima:
        return None
    points = np.array([m.point for m in surface.minima])
    gap = float(np.median(np.min(np.linalg.norm(starts[:, None] - points[None], axis=-1),
                                 axis=1)))
    reach = steps * usual
    if reach >= gap:
        return None
    away, near = ((f"the minimum is a median {readable(gap)} from the starts",
                   f"the minimum is {readable(gap)} away") if len(points) == 1 else
                  (f"minima are a median {readable(gap)} away", f"minima are {readable(gap)} away"))
    return first_fitting(f"{steps:,} steps of at most about α = {readable(usual)} go about "
                         f"{readable(reach)}; {away}.",
                         f"{steps:,} steps of about {readable(usual)} go about "
                         f"{readable(reach)}; {away}.",
                         f"{steps:,} steps of about α go {readable(reach)}; {near}.")


# --- the scene -----------------------------------------------------------------------------------

CHART_LEFT, CHART_RIGHT = -5.2, 2.4
CHART_BOTTOM, CHART_TOP = -0.35, 2.35
DIVERGED_Y = 2.75  # the row above the chart where a diverged median is drawn
STRIP_TOP, STRIP_BOTTOM = -0.75, -2.35
PANEL_LEFT = 2.95


class TuningSweep(ExplainerScene):
    entry = CATALOG["tuning"]  # its key, title, description and Params

    def construct(self) -> None:
        p, th = self.params, self.theme
        surface, lrs = p.resolved(), p.rates()
        starts = random_starts(surface.domain, p.starts, p.seed)
        colors = optimizer_colors(p.optimizers, th)
        names = {k: r.name for k, r in p.optimizers.items()}
        sweeps = sweep_all(p, surface, starts)
        verdicts = [verdict(s, p.threshold) for s in sweeps]
        runs = len(sweeps) * len(lrs) * p.starts
        self.facts.update(surface=surface.title, runs=runs, rates=lrs, verdicts=verdicts,
                          medians={s.optimizer: s.median for s in sweeps},
                          diverged_share={s.optimizer: s.diverged_share for s in sweeps})

        # Beat 1: the experiment, in numbers; the chart and, below it, one row per optimizer.
        self.idea("A sweep of learning rates", "surface", "runs", "rates")
        chart = SweepChart(sweeps, colors, p.threshold, th)
        strip = Strip(sweeps, verdicts, colors, names, chart, th)
        legend = self.legend(p, colors, names, surface)
        with self.beat("sweep", first_fitting(
                f"{runs:,} runs: {len(sweeps)} optimizers × {len(lrs)} learning rates × "
                f"{p.starts} starts.", f"{runs:,} runs of {p.steps} steps each.")):
            self.play(FadeIn(scene_title(self.title, th)), FadeIn(chart.frame),
                      FadeIn(strip.frame), FadeIn(legend), run_time=0.5)

        # Beat 2: the chart fills in, rate by rate.
        loss = "final loss" if sweeps[0].floor == 0 else "final loss above the minimum"
        with self.beat("chart",
                       first_fitting(f"Each line: the median, over {p.starts} starts, of the "
                                     f"{loss}.", f"Each line: the median {loss}.")):
            self.add(chart.curves)
            self.play(chart.fill(), run_time=p.fill_time, rate_func=linear)

        # Beat 3: what "works" means.
        within = "below" if sweeps[0].floor == 0 else "within"
        of_min = "" if sweeps[0].floor == 0 else " of the minimum"
        goal = f"{within} {readable(p.threshold)}{of_min}"  # what "works" means, in words
        with self.beat("works", f"Works: the median ends {goal}."):
            self.play(FadeIn(chart.threshold_line), run_time=0.6)

        # Beats 4+: one optimizer at a time, its row of the strip filled in.
        self.idea("Which learning rates work", "rates", "medians", "diverged_share")
        for i, v in enumerate(verdicts):
            with self.beat(f"verdict-{v.optimizer}",
                           verdict_caption(names[v.optimizer], v, len(lrs))):
                self.play(FadeIn(strip.rows[i]), chart.highlight(i), run_time=0.8)

        # Then who works over the widest range.
        with self.beat("widest", widest_caption(names, verdicts, p.steps)):
            self.play(chart.highlight(None), run_time=0.6)

        # The paths behind the numbers: each optimizer at its best rate, small multiples.
        self.idea("Each optimizer at its best rate", "verdicts", "best_runs")
        best = best_runs(p, surface, starts, verdicts, sweeps[0].floor)
        self.facts["best_runs"] = {names[v.optimizer]: {"lr": v.best_lr, "below": b[1],
                                                        "diverged": b[2]}
                                   for v, b in zip(verdicts, best, strict=True)}
        with self.beat("best-rates", f"Each at its best rate, from all {p.starts} starts."):
            self.clear_stage()
            self.add(scene_title(self.title, th))
            # A cut, like a slide change: fading in thousands of path vertices and a few
            # hundred glyphs would cost every frame of the fade.
            self.add(*self.small_multiples(p, surface, starts, verdicts, best, colors, names))
        with self.beat("best-count", best_caption(
                [names[v.optimizer] for v in verdicts], [b[1] for b in best], p.starts, goal,
                {names[v.optimizer] for v in verdicts
                 if p.optimizers[v.optimizer].optimizer == "adam"})):
            self.wait(0.1)

        with self.beat("lesson",
                       "The wider the working range, the less tuning a new problem needs."):
            self.wait(0.1)

        # The loss's scale: the same sweep with the loss times loss_scale and its inverse.
        grid = widened(lrs, p.loss_scale)
        scales = scale_sweeps(p, surface, starts, grid)
        up, down = p.loss_scale, 1 / p.loss_scale
        shifts = {k: (shift(v[1.0], v[up], up), shift(v[1.0], v[down], down))
                  for k, v in scales.items()}
        shrinks = shrink_sweeps(p, surface, starts, grid)
        moves = {k: shift(scales[k][1.0], v, up) for k, v in shrinks.items()}
        self.facts.update(scale_rates=grid, scale_verdicts=scales, shifts=shifts,
                          shrink_verdicts=shrinks, shrink_shifts=moves)
        rows = {k: {scaled(s): v[s] for s in (up, 1.0, down)}
                | ({shrunk(up): shrinks[k]} if k in shrinks else {}) for k, v in scales.items()}
        board = ScaleChart(grid, rows, colors, names, goal, th)
        self.idea("The loss's scale, and the usual α", "shifts")
        with self.beat("scale", first_fitting(
                f"Now multiply the loss J by {readable(up)}, then by {readable(down)}: every "
                "gradient scales alike.", f"Now multiply the loss by {readable(up)} and by "
                                          f"{readable(down)}.")):
            self.clear_stage()
            self.add(scene_title(self.title, th))
            self.play(FadeIn(board.frame), FadeIn(VGroup(*board.rows["J"].values())),
                      run_time=0.6)
        for key in p.optimizers:
            with self.beat(f"scale-{key}", shift_caption(names[key], *shifts[key])):
                self.play(FadeIn(board.rows[scaled(up)][key]),
                          FadeIn(board.rows[scaled(down)][key]),
                          run_time=0.6)
        with self.beat("scale-lesson", scale_lesson(names, shifts)):
            self.wait(0.1)
        reason = scale_reason({k: c.optimizer for k, c in p.optimizers.items()}, shifts)
        if reason is not None:
            with self.beat("scale-why", reason):
                self.play(FadeIn(self.cancelling(th)), run_time=0.8)
        usual = hyperparameters("adam")["lr"]
        with self.beat("usual", usual_caption(names, verdicts, p.optimizers)):
            self.play(FadeIn(board.marker(usual)), run_time=0.6)
        reach = reach_caption(usual, p.steps, starts, surface)
        if reach is not None and usual_below(verdicts, p.optimizers):
            with self.beat("usual-why", reach):
                self.wait(0.1)
        self.shrink_beats(board, {k: scales[k][1.0] for k in shrinks}, shrinks, moves, shifts,
                          names, usual, up)
        if reach is not None and usual_below(verdicts, p.optimizers):
            with self.beat("usual-advice", first_fitting(
                    f"α = {readable(usual)} suits weights that move little; where they "
                    "travel far, raise α.", "Raise α where weights must travel far.")):
                self.wait(0.1)

    # --- helpers ---------------------------------------------------------------------------------

    def shrink_beats(self, board: ScaleChart, before: dict[str, Verdict],
                     shrinks: dict[str, Verdict], moves: dict[str, Shift],
                     shifts: dict[str, tuple[Shift, Shift]], names: dict[str, str],
                     usual: float, factor: float) -> None:
        """The landscape shrunk: Adam's rates move with the distances (nothing without an
        Adam in the table)."""
        if not shrinks:
            return
        self.idea("The landscape's size sets α", "shrink_verdicts", "shrink_shifts")
        k = readable(factor)
        with self.beat("shrink", first_fitting(
                f"Now shrink the landscape {k}x: every distance {k}x shorter, heights kept.",
                f"Now shrink the landscape {k}x, heights kept.")):
            self.play(*(FadeIn(board.rows[shrunk(factor)][key]) for key in shrinks),
                      run_time=0.6)
        for key, s in moves.items():
            with self.beat(f"shrink-{key}", shrink_caption(names[key], s)):
                self.wait(0.1)
        if (fits := shrunk_usual(usual, before, shrinks, factor, names)) is not None:
            with self.beat("shrink-usual", fits):
                self.wait(0.1)
        if (lesson := shrink_lesson(shifts, moves)) is not None:
            with self.beat("shrink-lesson", lesson):
                self.wait(0.1)

    def cancelling(self, th) -> VGroup:
        """The loss times c, in Adam's step: c cancels (top right, beside the title)."""
        step = formula(th, r"\alpha\,", (r"\frac{c\,\hat{m}_t}{c\sqrt{\hat{v}_t}}", "m_hat"),
                       "=", r"\alpha\,", (r"\frac{\hat{m}_t}{\sqrt{\hat{v}_t}}", "m_hat"),
                       size=30)
        return VGroup(step).to_corner(UP + RIGHT, buff=0.35)

    def legend(self, p: TuningParams, colors: dict[str, str], names: dict[str, str],
               surface: Surface) -> VGroup:
        """Who runs (colour, name, fixed hyperparameters), then how to read the chart."""
        notes = [f"{p.steps:,} steps on the {surface.title}", f"from {p.starts} random starts",
                 "band: 10–90 % of the starts"]
        return sweep_legend(p.optimizers, colors, names, notes, self.theme)

    def small_multiples(self, p: TuningParams, surface: Surface, starts: np.ndarray,
                        verdicts: list[Verdict], best: list[BestRun], colors: dict[str, str],
                        names: dict[str, str]) -> tuple[Group, VGroup]:
        """One panel per optimizer: the landscape and every start's path at its best rate, and
        next to each what became of the runs. Up to four panels in a row (text below), else two
        rows of panels with their text to the right. Returns the panels and the texts."""
        th = self.theme
        n, width, height = len(verdicts), FRAME_RIGHT - FRAME_LEFT - 2 * MARGIN, 5.7
        # Two rows of panels leave less room for the text beside them: the short form.
        of, end = (" of ", "end below") if n <= 4 else ("/", "below")
        blocks, trajs = [], []
        line = line_height(th, 22, weight="BOLD")
        for v, (traj, below, diverged) in zip(verdicts, best, strict=True):
            name = text(names[v.optimizer], th, 22, color=colors[v.optimizer], weight="BOLD")
            stats = stack(small(rate(v.best_lr), th, 18),
                          small(f"{below}{of}{p.starts} {end} {readable(p.threshold)}", th, 18),
                          small(f"{diverged}{of}{p.starts} diverge", th, 18), buff=0.08)
            stats.move_to(name.get_corner(UL) + (line + 0.08) * DOWN, aligned_edge=UL)
            blocks.append(VGroup(name, stats))
            trajs.append(traj)
        text_w = max(b.width for b in blocks)
        if n <= 4:
            rows, cols, gap = 1, n, 0.35
            text_h = max(b.height for b in blocks) + 0.15
            size = min(3.05, (width - gap * (cols - 1)) / cols, height - text_h)
            cell = np.array([size, size + text_h])
        else:
            rows, cols, gap = 2, 3, 0.3
            size = min(2.6, (height - gap) / 2, (width - 2 * gap) / 3 - text_w - 0.15)
            blocks = [fit_width(b, (width - 2 * gap) / 3 - size - 0.15) for b in blocks]
            cell = np.array([size + 0.15 + text_w, size])
        corner = np.array([FRAME_LEFT + MARGIN + (width - cols * cell[0] - (cols - 1) * gap) / 2,
                           PICTURE_TOP - (height - rows * cell[1] - (rows - 1) * gap) / 2])
        out = Group()
        for i, (v, traj, block) in enumerate(zip(verdicts, trajs, blocks, strict=True)):
            r, c = divmod(i, cols)
            left, top = corner + np.array([c * (cell[0] + gap), -r * (cell[1] + gap)])
            pm = PlaneMap.fit(surface.domain, size, size,
                              np.array([left + size / 2, top - size / 2, 0.0]))
            paths = VMobject().set_stroke(colors[v.optimizer], width=1.4, opacity=0.75)
            set_polyline(paths, [pm(pts) for pts in visible_paths(traj.position, surface)])
            dots = dot_cloud(pm(starts), 0.025, th.muted)
            minima = VGroup(*(Star(n=5, outer_radius=0.09, color=th.marker, fill_opacity=1,
                                   stroke_width=1).move_to(pm(m.point))
                              for m in surface.minima))
            frame = plot_frame(surface.domain, pm, th, x_numbers=False, y_numbers=False)
            if rows == 1:
                block.next_to(frame, DOWN, buff=0.15).align_to(frame, LEFT)
            else:
                block.next_to(frame, RIGHT, buff=0.15).align_to(frame, UP)
            out.add(Group(field_raster(surface, pm, th), contour_lines(surface, pm, th, 150),
                          frame, paths, dots, minima))
        return out, VGroup(*blocks)


def visible_paths(position: np.ndarray, surface: Surface) -> list[np.ndarray]:
    """Each run's path (position is steps x runs x 2) up to where it ends or leaves the plot,
    thinned to one point per 1/400 of the plot along the path: what a still can show of 1000
    steps (a point every so far along, not every step)."""
    x0, x1, y0, y1 = surface.domain
    gap = max(x1 - x0, y1 - y0) / 400
    inside = (np.all(np.isfinite(position), axis=-1)
              & (position[..., 0] >= x0) & (position[..., 0] <= x1)
              & (position[..., 1] >= y0) & (position[..., 1] <= y1))
    ends = np.where(inside.all(axis=0), len(position), np.argmin(inside, axis=0))
    out = []
    for j, end in enumerate(ends):
        pts = position[:end, j]
        if len(pts) < 2:
            continue
        along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))])
        keep = np.searchsorted(along, np.arange(0.0, along[-1], gap))
        out.append(pts[np.unique(np.append(keep, len(pts) - 1))])
    return out


class RateChart:
    """A sweep's chart: a value of every run against the learning rate (log scale), per
    optimizer the median line and a band between two quantiles, revealed from the lowest rate
    to the highest; a median with most runs diverged is drawn in the row above the chart. A
    subclass says how values are placed (``y``), which ones (``bands``) and how the axis and
    the threshold read (``ticks``, ``value_name``, ``threshold_label``)."""

    value_name = ""  # the vertical axis' title

    def __init__(self, sweeps: list[Sweep], colors: dict[str, str], threshold: float, theme):
        self.sweeps, self.theme = sweeps, theme
        self.lx = np.log10(sweeps[0].lrs)
        self.frame = self._frame()
        self.threshold_line = self._threshold(threshold)
        self.series: list[tuple[Any, Any, Any, VMobject, VMobject]] = []
        self.curves = VGroup()
        for s in sweeps:
            color = colors[s.optimizer]
            mid, low, high = self.bands(s)
            line = VMobject().set_stroke(color, width=3.5)
            band = VMobject().set_fill(color, opacity=0.18).set_stroke(width=0)
            self.series.append((mid, low, high, line, band))
            self.curves.add(band, line)

    def y(self, values: Any) -> np.ndarray:
        raise NotImplementedError

    def bands(self, sweep: Sweep) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scene y of the median and of the band's two edges, at each rate."""
        raise NotImplementedError

    def ticks(self) -> list[tuple[float, str]]:
        """The vertical axis' ticks: scene y and label."""
        raise NotImplementedError

    def threshold_label(self, threshold: float) -> VMobject:
        raise NotImplementedError

    def x(self, lx: Any) -> np.ndarray:
        t = (np.asarray(lx) - self.lx[0]) / (self.lx[-1] - self.lx[0])
        return CHART_LEFT + t * (CHART_RIGHT - CHART_LEFT)

    def _frame(self) -> VGroup:
        th = self.theme
        box = Rectangle(width=CHART_RIGHT - CHART_LEFT, height=CHART_TOP - CHART_BOTTOM)
        box.move_to([(CHART_LEFT + CHART_RIGHT) / 2, (CHART_BOTTOM + CHART_TOP) / 2, 0])
        out = VGroup(box.set_stroke(th.axis, width=1.5))
        for y, label in self.ticks():
            out.add(Line([CHART_LEFT, y, 0], [CHART_LEFT + 0.1, y, 0]).set_stroke(th.axis, 1.5))
            out.add(small(label, th, 17).next_to([CHART_LEFT, y, 0], LEFT, buff=0.1))
        out.add(DashedLine([CHART_LEFT, DIVERGED_Y - 0.2, 0], [CHART_RIGHT, DIVERGED_Y - 0.2, 0],
                           dash_length=0.05).set_stroke(th.muted, width=1))
        out.add(small("diverged", th, 17).next_to([CHART_LEFT, DIVERGED_Y, 0], LEFT, buff=0.1))
        out.add(small(self.value_name, th, 19).rotate(np.pi / 2).move_to(
            [CHART_LEFT - 1.05, (CHART_BOTTOM + CHART_TOP) / 2, 0]))
        return out

    def _threshold(self, threshold: float) -> VGroup:
        y = float(self.y(np.array(threshold)))
        line = DashedLine([CHART_LEFT, y, 0], [CHART_RIGHT, y, 0], dash_length=0.1)
        return VGroup(line.set_stroke(self.theme.text, width=2),
                      self.threshold_label(threshold).next_to(
                          [CHART_LEFT + 0.15, y, 0], DOWN + RIGHT, buff=0.08))

    def fill(self) -> UpdateFromAlphaFunc:
        """Reveal every line and band from the lowest rate to the highest."""
        xs = self.x(self.lx)

        def upto(values: np.ndarray, k: float) -> np.ndarray:
            i = int(np.floor(k))
            pts = list(zip(xs[: i + 1], values[: i + 1], strict=True))
            if i + 1 < len(xs):
                f = k - i
                pts.append((xs[i] + f * (xs[i + 1] - xs[i]),
                            values[i] + f * (values[i + 1] - values[i])))
            return np.array([[px, py, 0.0] for px, py in pts])

        def update(group: VGroup, alpha: float) -> None:
            k = alpha * (len(xs) - 1)
            for mid, low, high, line, band in self.series:
                if k > 0:
                    line.set_points_as_corners(upto(mid, k))
                    top, bottom = upto(high, k), upto(low, k)
                    band.set_points_as_corners(np.vstack([top, bottom[::-1], top[:1]]))
                else:
                    line.clear_points()
                    band.clear_points()

        update(self.curves, 0.0)
        return UpdateFromAlphaFunc(self.curves, update)

    def highlight(self, index: int | None) -> UpdateFromAlphaFunc:
        """Bring one optimizer's line forward (the others dimmed); ``None``: all equal again."""
        targets = [1.0 if index is None or i == index else 0.25 for i in range(len(self.series))]
        starts = [line.get_stroke_opacity() for *_, line, _ in self.series]

        def update(group: VGroup, alpha: float) -> None:
            for (*_, line, band), a, b in zip(self.series, starts, targets, strict=True):
                o = a + alpha * (b - a)
                line.set_stroke(opacity=o)
                band.set_fill(opacity=0.18 * o)

        return UpdateFromAlphaFunc(self.curves, update)


class SweepChart(RateChart):
    """Final loss against the learning rate, both on log scales: per optimizer the median line
    and a 10-90 % band."""

    def __init__(self, sweeps: list[Sweep], colors: dict[str, str], threshold: float, theme):
        finite = np.concatenate([s.final[np.isfinite(s.final) & (s.final > 0)].ravel()
                                 for s in sweeps] + [np.array([threshold])])
        self.lo = np.floor(np.log10(max(np.quantile(finite, 0.01), 1e-12)))
        self.hi = max(np.ceil(np.log10(finite.max())), self.lo + 1)
        self.value_name = ("median final loss" if sweeps[0].floor == 0
                           else "median loss above min")
        super().__init__(sweeps, colors, threshold, theme)

    def y(self, loss: np.ndarray) -> np.ndarray:
        """Scene y of losses; a diverged (inf) value goes to the diverged row."""
        with np.errstate(divide="ignore"):
            ly = np.log10(np.maximum(loss, 10.0 ** self.lo))
        t = (np.clip(ly, self.lo, self.hi) - self.lo) / (self.hi - self.lo)
        return np.where(np.isinf(loss), DIVERGED_Y, CHART_BOTTOM + t * (CHART_TOP - CHART_BOTTOM))

    def bands(self, sweep: Sweep) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.y(sweep.quantile(0.5)), self.y(sweep.quantile(0.1)), self.y(sweep.quantile(0.9))

    def ticks(self) -> list[tuple[float, str]]:
        every = max(1, int(np.ceil((self.hi - self.lo) / 5)))
        return [(float(self.y(np.array(10.0 ** k))), decade(k))
                for k in range(int(self.lo), int(self.hi) + 1, every)]

    def threshold_label(self, threshold: float) -> VMobject:
        return small(f"works below {readable(threshold)}", self.theme, 18)


def boxes(rects: list[tuple[float, float, float, float]]) -> VMobject:
    """Rectangles ``(left, bottom, width, height)`` as one stroke-less mobject."""
    out = VMobject().set_stroke(width=0)
    for x, y, w, h in rects:
        out.start_new_path(np.array([x, y, 0.0]))
        out.add_points_as_corners([[x + w, y, 0], [x + w, y + h, 0], [x, y + h, 0], [x, y, 0]])
    return out



def row_label(name: str, color: str, size: float, mid: float, theme) -> VMobject:
    """An optimizer's name left of the chart on its row, shrunk to fit the margin."""
    label = fit_width(text(name, theme, size, color=color),
                      CHART_LEFT - 0.1 - (FRAME_LEFT + MARGIN))
    return label.next_to([CHART_LEFT, mid, 0], LEFT, buff=0.1)


def sweep_legend(optimizers: dict[str, Contender], colors: dict[str, str],
                 names: dict[str, str], notes: list[str], theme) -> VGroup:
    """Beside a sweep's chart: who runs (colour, name, fixed hyperparameters), then ``notes``
    on what was run and how to read the chart and its strip (the network's sweep too)."""
    rows = []
    for key, contender in optimizers.items():
        head = VGroup(swatch(colors[key]), text(names[key], theme, 26, color=colors[key],
                                                weight="BOLD")).arrange(RIGHT, buff=0.15)
        details = contender.summary(without=("lr",))
        rows.append(stack(head, small(details, theme, 18).shift(0.3 * RIGHT), buff=0.06)
                    if details else head)
    notes = [*notes, "coloured bar: works at that α", "grey bar: share diverged"]
    block = stack(*rows, *(small(n, theme, 20) for n in notes), buff=0.16)
    fit_width(block, FRAME_RIGHT - MARGIN - PANEL_LEFT)
    return block.move_to([PANEL_LEFT, PICTURE_TOP, 0], aligned_edge=UP + LEFT)

class Strip:
    """Under a sweep's chart, on the same learning-rate axis (``chart``: its ``lx``, the
    rates' log10, placed by ``chart.x``): one row per optimizer, a coloured cell where it works
    and a grey bar as tall as the share of its runs that diverged. The axis is named
    ``axis`` at ``axis_size`` (the network's chart says α)."""

    def __init__(self, sweeps: list[Sweep], verdicts: list[Verdict], colors: dict[str, str],
                 names: dict[str, str], chart: Any, theme, axis: str = "learning rate",
                 axis_size: float = 19):
        th = theme
        n = len(sweeps)
        row_h = (STRIP_TOP - STRIP_BOTTOM) / n
        xs = chart.x(chart.lx)
        cell_w = 0.85 * (xs[1] - xs[0])
        self.frame = VGroup()
        self.rows = []
        for i, (s, v) in enumerate(zip(sweeps, verdicts, strict=True)):
            top = STRIP_TOP - i * row_h
            mid = top - row_h / 2
            self.frame.add(row_label(names[s.optimizer], colors[s.optimizer],
                                     min(20, 60 * row_h), mid, th))
            self.frame.add(Line([CHART_LEFT, top - row_h, 0], [CHART_RIGHT, top - row_h, 0])
                           .set_stroke(th.muted, width=0.8, opacity=0.8))
            works = s.works(v.threshold)
            cells = [(x - cell_w / 2, top - 0.525 * row_h, cell_w, 0.45 * row_h)
                     for x, ok in zip(xs, works, strict=True) if ok]
            bars = [(x - cell_w / 2, top - 0.95 * row_h, cell_w, 0.4 * row_h * share)
                    for x, share in zip(xs, s.diverged_share, strict=True) if share > 0]
            self.rows.append(VGroup(boxes(cells).set_fill(colors[s.optimizer], 1),
                                    boxes(bars).set_fill(th.muted, 0.9)))
        for k in range(int(np.ceil(chart.lx[0] - 1e-9)), int(np.floor(chart.lx[-1] + 1e-9)) + 1):
            x = float(chart.x(k))
            self.frame.add(Line([x, STRIP_BOTTOM, 0], [x, STRIP_BOTTOM - 0.08, 0])
                           .set_stroke(th.axis, 1.5))
            self.frame.add(small(decade(k), th, 17).next_to([x, STRIP_BOTTOM - 0.08, 0],
                                                                  DOWN, buff=0.05))
        self.frame.add(small(axis, th, axis_size).next_to(
            [CHART_RIGHT, STRIP_BOTTOM - 0.2, 0], RIGHT, buff=0.35))


class ScaleChart:
    """Where each optimizer works on one learning-rate axis, one row per variant of the
    problem (the loss times the scale, as it is, times its inverse; the surface shrunk): a
    cell at every working rate, a ring at the best rate where it works at none, and the rates
    in words at the row's end. ``rows[key]`` maps each row's label to its verdict, in order."""

    LEFT, RIGHT, TOP, BOTTOM = -3.3, 4.35, 2.45, -1.75

    def __init__(self, grid: np.ndarray, rows: dict[str, dict[str, Verdict]],
                 colors: dict[str, str], names: dict[str, str], goal: str, theme):
        th = theme
        self.lx = np.log10(grid)
        keys = list(rows)
        gap_rows = 0.6  # between two optimizers' blocks, in rows
        row_h = (self.TOP - self.BOTTOM) / (sum(len(r) for r in rows.values())
                                            + gap_rows * len(keys))
        cell_w = 0.85 * (self.x(self.lx[1]) - self.x(self.lx[0]))
        self.frame = VGroup()
        self.theme = th
        self.rows: dict[str, dict[str, VGroup]] = {}
        common = set.intersection(*(set(r) for r in rows.values()))
        top = self.TOP
        for key in keys:
            color = colors[key]
            self.frame.add(fit_width(text(names[key], th, min(22, 62 * row_h), color=color,
                                          weight="BOLD"), 1.9)
                           .move_to([FRAME_LEFT + MARGIN, top - row_h * len(rows[key]) / 2, 0],
                                    aligned_edge=LEFT))
            for j, (label, v) in enumerate(rows[key].items()):
                mid = top - (j + 0.5) * row_h
                name = small(label, th, 16).next_to([self.LEFT, mid, 0], LEFT, buff=0.12)
                if v.works:
                    xs = self.x(np.log10(np.array(v.works)))
                    mark = boxes([(x - cell_w / 2, mid - 0.36 * row_h, cell_w, 0.72 * row_h)
                                  for x in xs]).set_fill(color, 1)
                    words = span(v.works)
                else:
                    mark = Circle(radius=0.3 * row_h).set_stroke(color, width=3).move_to(
                        [float(self.x(np.log10(v.best_lr))), mid, 0])
                    words = f"best {readable(v.best_lr)}"
                gap = 0.1 + cell_w / 2  # clear of a cell at the axis's last rate
                label_words = fit_width(small(words, th, 16),
                                        FRAME_RIGHT - MARGIN - self.RIGHT - gap)
                row = VGroup(mark, label_words.next_to([self.RIGHT, mid, 0], RIGHT, buff=gap))
                # a row every optimizer has is labelled from the start; an extra one (the
                # shrunk surface) comes with its label
                (self.frame if label in common else row).add(name)
                self.rows.setdefault(label, {})[key] = row
            top -= row_h * (len(rows[key]) + gap_rows)
            self.frame.add(Line([self.LEFT, top + 0.3 * row_h, 0],
                                [self.RIGHT, top + 0.3 * row_h, 0])
                           .set_stroke(th.muted, width=0.8, opacity=0.8))
        axis_y = self.BOTTOM + 0.3 * row_h
        for k in range(int(np.ceil(self.lx[0] - 1e-9)), int(np.floor(self.lx[-1] + 1e-9)) + 1):
            x = float(self.x(k))
            self.frame.add(Line([x, axis_y, 0], [x, axis_y - 0.08, 0]).set_stroke(th.axis, 1.5))
            self.frame.add(small(readable(10.0 ** k), th, 15).next_to([x, axis_y - 0.08, 0],
                                                                       DOWN, buff=0.05))
        self.frame.add(small("learning rate α", th, 18).next_to(
            [self.RIGHT, axis_y - 0.2, 0], RIGHT, buff=0.15))
        note = stack(small(f"square: a rate that works (the median run ends {goal}, times "
                           "the loss's scale)", th, 17),
                     small("ring: no rate works; the best one", th, 17), buff=0.08)
        self.frame.add(fit_width(note, FRAME_RIGHT - MARGIN - self.LEFT)
                       .next_to([self.LEFT, axis_y - 0.45, 0], DOWN + RIGHT, buff=0.05))
        self.axis_y = axis_y

    def x(self, lx) -> np.ndarray:
        t = (np.asarray(lx, dtype=float) - self.lx[0]) / (self.lx[-1] - self.lx[0])
        return self.LEFT + t * (self.RIGHT - self.LEFT)

    def marker(self, rate: float) -> VGroup:
        """A dashed line down the rows at ``rate``, labelled (nothing if off the axis)."""
        lx = np.log10(rate)
        if not self.lx[0] <= lx <= self.lx[-1]:
            return VGroup()
        x = float(self.x(lx))
        line = DashedLine([x, self.TOP + 0.1, 0], [x, self.axis_y, 0], dash_length=0.08)
        label = small(f"usual α = {readable(rate)}", self.theme, 17)
        return VGroup(line.set_stroke(self.theme.text, width=2),
                      above_paths(label.next_to([x, self.TOP + 0.1, 0], UP, buff=0.06),
                                  self.theme))
