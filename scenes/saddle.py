"""Scene 6: escaping the saddle of f = x^2 - y^2 (gradient descent against Adam), in 3D.

    manim -ql scenes/saddle.py SaddleEscape
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UL,
    UP,
    Arrow,
    Circle,
    Cross,
    Dot,
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

from optim_core import CriticalPoint, Surface
from optim_core.analysis import (
    EscapeOutcome,
    distance_along,
    distances,
    escape_direction,
    escape_outcomes,
    first_exit,
    first_step_along,
    focus_point,
    growth_along,
)
from optim_core.optimizers import REGISTRY
from scenes.catalog import CATALOG
from scenes.framework.captions import first_fitting
from scenes.framework.numbers import readable
from scenes.framework.plot2d import (
    LogInset,
    Piece,
    PlaneMap,
    contour_lines,
    plot_frame,
    set_polyline,
    small,
    ticks,
)
from scenes.framework.racers import (
    RaceDrawing,
    RacerRun,
    Rerun,
    SameRate,
    rerun_at_rate,
    run_racers,
    same_rate_beat,
    show_step,
    start_caption,
    to_the_end,
)
from scenes.framework.scene import ExplainerScene
from scenes.framework.style import (
    PICTURE_BOTTOM,
    PICTURE_TOP,
    Readout,
    above_paths,
    fit_width,
    formula,
    racer_legend,
    scene_title,
    text,
)
from scenes.framework.view3d import SurfaceBox, SurfaceMesh, View, fit_view

# --- the outcome, computed from the trajectories --------------------------------------------------

def escape_captions(results: list[EscapeOutcome], steps: int, radius: float,
                    focus: CriticalPoint | None,
                    marked: tuple[float, float, float, float] | None = None,
                    diverged: bool = False) -> list[str]:
    """What the data says about who left the plotted region (the scene's "escape": said as
    "left the plot"), when, and how long each lingered near the focus; one short caption per
    fact. With ``marked``, the plotted region of a picture that marks each exit with a ×,
    the first caption says what leaving it is (where a racer did)."""
    left = any(o.escaped_at is not None for o in results)
    lines = [edge_caption(marked, diverged)] if marked is not None and left else []
    for o in results:
        steps_word = "step" if o.steps_near == 1 else "steps"
        near = (f"{o.steps_near} {steps_word} within {radius:g} of the {focus.kind}"
                if focus else "")
        end = (f"left the plot at step {o.escaped_at}" if o.escaped_at is not None
               else f"still on the plot after {steps} steps")
        lines.append(first_fitting(f"{o.name}: {near}; {end}." if near else f"{o.name}: {end}.",
                                   f"{o.name}: {end}."))
    out = sorted((o for o in results if o.escaped_at is not None), key=lambda o: o.escaped_at)
    stayed = [o for o in results if o.escaped_at is None]
    if not out:
        lines.append(f"{'Neither' if len(results) == 2 else 'No racer'} left the plot in {steps} "
                     "steps." if len(results) > 1 else
                     f"{results[0].name} did not leave the plot in {steps} steps.")
    elif len(results) == 2 and len(out) == 2:
        first, second = out
        gap = second.escaped_at - first.escaped_at
        lines.append(f"Both left the plot at step {first.escaped_at}." if gap == 0 else
                     f"{first.name} left the plot first, {gap} steps before {second.name}.")
    elif len(out) == 1 and stayed and len(results) > 1:
        lines.append(f"Only {out[0].name} left the plot in {steps} steps.")
    elif len(out) > 1:
        lines.append(first_fitting(
            "First out: " + ", then ".join(f"{o.name} (step {o.escaped_at})" for o in out) + ".",
            f"First out: {out[0].name}, at step {out[0].escaped_at}."))
    return lines


def edge_caption(domain: tuple[float, float, float, float], diverged: bool = False) -> str:
    """What "left the plot" means: past the edge of the plotted region (marked with a ×), or,
    where a run diverged (marked where its path stops), that too."""
    x0, x1, y0, y1 = domain

    def side(name: str, lo: float, hi: float) -> str:
        return (f"|{name}| > {readable(hi)}" if lo == -hi else
                f"{name} < {readable(lo)} or {name} > {readable(hi)}")

    or_diverges = " or diverges" if diverged else ""
    return first_fitting(f"A × marks where a path leaves the plot{or_diverges}: "
                         f"{side('x', x0, x1)} or {side('y', y0, y1)}.",
                         f"A × marks where a path leaves the plot{or_diverges}.")


ABOUT = (0.5, 1.5)  # a first step "about α": between these multiples of α


def across_captions(runs: list[RacerRun], direction: np.ndarray) -> list[str]:
    """Why one racer leaves sooner: the slope across the ridge at the start (the way out), each
    racer's first step along it, and, where the data shows it, the reason (a step of α times
    the slope, or of about α for an optimizer that divides by its own √v)."""
    sizes = [(r, *first_step_along(r.traj, direction)) for r in runs]
    slope = max(g for _, g, _ in sizes)  # one start, one gradient
    if slope == 0:
        return ["Across the ridge the slope at the start is exactly 0: nothing pushes that way."]
    lines = [f"Across the ridge, the way out, the slope at the start is only {readable(slope, 2)}."]
    if len(sizes) < 2:
        return lines
    ranked = sorted(sizes, key=lambda s: s[2], reverse=True)
    (fast, _, big), (slow, _, small_step) = ranked[0], ranked[-1]
    if big >= 1.5 * small_step:
        lines.append(first_fitting(
            f"So {fast.name}'s first step across it is {readable(big, 2)}, {slow.name}'s only "
            f"{readable(small_step, 2)}.", f"First steps across it: {fast.name} "
            f"{readable(big, 2)}, {slow.name} {readable(small_step, 2)}."))
    else:
        lines.append(f"Their first steps across it are alike: {readable(big, 2)} and "
                     f"{readable(small_step, 2)}.")
        return lines
    lr = fast.racer.build().hyperparams["lr"]
    if REGISTRY[fast.racer.optimizer].scale_free and ABOUT[0] <= big / lr <= ABOUT[1]:
        lines.append(first_fitting(
            f"{fast.name} divides that slope by its own √v: a step of about α = {readable(lr)}.",
            f"{fast.name} divides it by its own √v: about α."))
    return lines


def same_rate_caption(runs: list[RacerRun], surface: Surface, steps: int,
                      outcomes: list[EscapeOutcome], focus: CriticalPoint | None
                      ) -> SameRate | None:
    """Whether the racer that divides by its own √v only left sooner by a larger α: the other
    racer run again at its α (``rerun_at_rate``), and when that run left the plot; where it
    still left no sooner and the focus is a saddle, why: how slowly it moves across the ridge
    (its distance out grows by a factor a step, from a tiny start)."""
    again = rerun_at_rate(runs, surface, steps)
    if again is None:
        return None
    fast, slow, lr = again.fast.name, again.slow.name, readable(again.lr)
    out = first_exit(again.traj, surface.domain)
    at = f"At {fast}'s α = {lr}, {slow}"
    label = f"{slow} at α = {lr}: "
    series = to_the_end(distances(again.traj, focus.point if focus else again.traj.position[0]),
                        steps)
    if out is None:
        return SameRate(first_fitting(f"{at} is still on the plot after {steps} steps.",
                                      f"At α = {lr}, {slow} stays on the plot."),
                        label + f"on the plot after {steps} steps", again.slow.color, series)
    theirs = next(o.escaped_at for o in outcomes if o.name == fast)
    than = ("" if theirs is None else ": sooner" if out < theirs else
            ": at the same step" if out == theirs else ": still later")
    slow_why = fast_why = None
    if than in (": at the same step", ": still later") and focus and focus.kind == "saddle":
        direction = escape_direction(surface, focus.point)
        slow_why = across_growth(again, focus, direction)
        fast_why = across_steps(again.fast, focus, direction) if slow_why else None
    why = tuple(line for line in (slow_why, fast_why) if line is not None)
    return SameRate(first_fitting(f"{at} leaves the plot at step {out}{than}.",
                                  f"At α = {lr}, {slow} leaves at step {out}{than}."),
                    label + f"left the plot at step {out}", again.slow.color, series, why)


def across_steps(fast: RacerRun, focus: CriticalPoint, direction: np.ndarray) -> str | None:
    """The other half of why: when the racer that divides by its own √v was 1 out across the
    saddle's ridge (``direction``, its way out), and, where its first step across was about
    its α, that it stepped about α from the start. None where it never was 1 out, or started
    there."""
    one = np.flatnonzero(distance_along(fast.traj, focus.point, direction) >= 1)
    if not one.size or one[0] == 0:
        return None
    lr = fast.racer.build().hyperparams["lr"]
    step = first_step_along(fast.traj, direction)[1]
    if REGISTRY[fast.racer.optimizer].scale_free and ABOUT[0] <= step / lr <= ABOUT[1]:
        return first_fitting(f"{fast.name} steps about α = {readable(lr)} across from the start: "
                             f"1 out at step {one[0]}.", f"{fast.name}: 1 out at step {one[0]}.")
    return f"{fast.name}: 1 out at step {one[0]}."


def across_growth(again: Rerun, focus: CriticalPoint, direction: np.ndarray) -> str | None:
    """Why the rerun leaves a saddle slowly: it starts a tiny way across the ridge (along
    ``direction``, the way out) and its distance out only grows by a factor a step (1 + 2α for
    gradient descent where that is what the run shows: x² − y²'s y <- y + α·2y), and how many
    steps it took to be 1 out. None where the run does not move away across it."""
    start, factor = growth_along(again.traj, np.array(focus.point), direction)
    if factor is None or factor <= 1:
        return None
    one = np.flatnonzero(distance_along(again.traj, focus.point, direction) >= 1)
    grows = f"×{readable(factor)} a step"
    if again.slow.racer.optimizer == "sgd" and np.isclose(factor, 1 + 2 * again.lr, rtol=1e-6):
        grows = f"×(1 + 2α) = {readable(factor)} a step"
    return first_fitting(
        f"Across the ridge it starts {readable(start, 2)} out, {grows}"
        + (f": 1 out at step {one[0]}." if one.size and start < 1 else "."),
        f"Across the ridge it starts {readable(start, 2)} out; {grows}.",
        f"Across the ridge it starts {readable(start, 2)} out; ×{readable(factor)} a step.")


# --- the scene ----------------------------------------------------------------------------------

VIEW_WIDTH, VIEW_HEIGHT = 7.8, 5.4
VIEW_CENTER = np.array([-3.0, 0.02, 0.0])
PANEL_LEFT = 1.2
PANEL_WIDTH = 5.3
INSET_SIZE = (4.4, 1.7)
SUBDIVIDE = 8  # points per optimizer step along a path drawn on the surface


class SaddleEscape(ExplainerScene):
    entry = CATALOG["saddle"]  # its key, title, description and Params

    def construct(self) -> None:
        p, th = self.params, self.theme
        surface, start = p.resolved(), p.start_point()
        runs = run_racers(p.racers, surface, start, p.steps, th)
        focus = focus_point(surface)

        # Beat 1: the surface, seen from the side the notebook used.
        self.idea(f"The race on the {surface.title.lower()}", "surface", "start", "focus")
        box = SurfaceBox.fit(surface, 6.4, 3.0)
        view = fit_view(box, np.linspace(p.azimuth, p.azimuth + p.orbit, 7), p.elevation,
                        VIEW_WIDTH, VIEW_HEIGHT, VIEW_CENTER)
        mesh = SurfaceMesh(surface, box, th, mesh_resolution(surface))
        scenery = self.scenery(surface, box, view, mesh, focus, start)
        heading = self.heading(surface)
        with self.beat("landscape", first_fitting(f"The {surface.title.lower()}: {surface.lesson}.",
                                     f"The {surface.title.lower()}.")):
            self.add(scenery)
            title = self.title if focus and focus.kind == "saddle" else \
                f"Racing on the {surface.title}"
            self.play(FadeIn(scene_title(title, th)), FadeIn(heading), run_time=1.0)

        # Beat 2: who starts where.
        legend, readouts = self.legend(runs, heading)
        show_step(readouts, runs, 0, p.steps)  # the legend shows where they start
        with self.beat("start", start_caption(runs, start)):
            self.play(FadeIn(legend), FadeIn(VGroup(*readouts)), run_time=1.0)

        # Beat 3: the race while the camera orbits; the inset shows the distance on a log scale.
        inset = self.inset(runs, focus, legend)
        with self.beat("race", first_fitting(
                f"{p.steps} steps each; the inset: distance to the "
                f"{focus.kind if focus else 'start'}, log scale.", f"{p.steps} steps each.")):
            self.add(inset.group)
            self.play(self.race(runs, surface, box, view, scenery, readouts, inset),
                      run_time=p.race_time, rate_func=linear)

        # Beats 4-6: why the way out is taken sooner by one racer (the first step across).
        shown_instead = VGroup()
        if focus is not None and focus.kind == "saddle":
            self.idea("The first steps across the ridge", "escape_direction",
                      "first_steps_across")
            shown_instead = self.why_across(runs, surface, focus, inset)

        # Beats 7+: what the data says, one fact a beat.
        self.readouts = readouts  # what the viewer saw, for tests
        results = escape_outcomes(runs, surface, p.radius)
        self.facts.update(surface=surface.title, start=start,
                          focus=focus.point if focus else None, outcomes=results)
        self.caption_lines = escape_captions(results, p.steps, p.radius, focus, surface.domain,
                                            any(r.traj.diverged for r in runs))
        same_rate = same_rate_caption(runs, surface, p.steps, results, focus)
        marks = self.ending(runs, surface, box, view)
        self.idea("Who leaves, and when", "outcomes")
        if shown_instead:  # the first steps leave; the inset the outcomes speak of is back
            self.remove(shown_instead)
        self.fact_beats(self.caption_lines, marks)
        same_rate_beat(self, same_rate, inset)  # did the winner only win by a larger α?

    # --- helpers --------------------------------------------------------------------------------

    def why_across(self, runs, surface, focus, inset: LogInset) -> VGroup:
        """Beats on the first step across the ridge, shown over the inset (done with until the
        outcomes). Returns what covers it."""
        direction = escape_direction(surface, focus.point)
        lines = across_captions(runs, direction)
        steps = {r.name: first_step_along(r.traj, direction)[1] for r in runs}
        self.facts.update(escape_direction=direction.tolist(), first_steps_across=steps)
        th = self.theme
        sizes = VGroup(*(text(f"{r.name}: {readable(steps[r.name], 2)}", th, 20, color=r.color)
                         for r in runs)).arrange(RIGHT, buff=0.4)
        rows = VGroup(text("first step across the ridge", th, 20, color=th.muted), sizes)
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        right = self.camera.frame_width / 2 - 0.3
        fit_width(rows, right - inset.group.get_left()[0])
        rows.move_to(inset.group.get_corner(UL), aligned_edge=UL)
        top = self.top_view(runs, surface, focus, rows, right)
        cover = Rectangle(width=right - rows.get_left()[0] + 0.15,
                          height=rows.get_top()[1] - PICTURE_BOTTOM + 0.15,
                          fill_color=th.background, fill_opacity=1, stroke_width=0)
        cover.move_to(rows.get_corner(UL) + np.array([-0.15, 0.15, 0]), aligned_edge=UL)
        panel = VGroup(cover, rows, top)
        for i, line in enumerate(lines, start=1):
            with self.beat(f"why-{i}", line):
                if i == 2:
                    self.play(FadeIn(panel, lag_ratio=0.2), run_time=0.8)
        return panel if len(lines) > 1 else VGroup()

    def top_view(self, runs, surface: Surface, focus, above: VMobject, right: float) -> VGroup:
        """The plane seen from above, under ``above``: contours, the saddle, each racer's path
        and its first step as an arrow (which way each leaves, that the 3D view hides)."""
        th = self.theme
        x0, x1, y0, y1 = surface.domain
        top_edge = above.get_bottom()[1] - 0.42  # room for its label
        height = top_edge - (PICTURE_BOTTOM + 0.3)  # room for the x numbers
        width = min(right - above.get_left()[0] - 0.45, height * (x1 - x0) / (y1 - y0))
        pm = PlaneMap.fit(surface.domain, width, height, np.array([
            above.get_left()[0] + 0.45 + width / 2, top_edge - height / 2, 0.0]))
        view = VGroup(contour_lines(surface, pm, th, 150), plot_frame(surface.domain, pm, th, 14),
                      Dot(pm(focus.point), radius=0.05, color=th.marker))
        for r in runs:
            path = set_polyline(VMobject(), [pm(piece.points) for piece in r.pieces])
            view.add(path.set_stroke(r.color, width=2.5))
            if r.traj.valid_steps > 1:
                view.add(Arrow(pm(r.traj.position[0]), pm(r.traj.position[1]), buff=0,
                               color=r.color, stroke_width=6,
                               max_tip_length_to_length_ratio=0.5))
        view.add(small("seen from above", th, 16).next_to(view[1], UP, buff=0.12)
                 .align_to(view[1], RIGHT))
        return view

    def heading(self, surface: Surface) -> VGroup:
        latex = fit_width(formula(self.theme, surface.latex, size=32), PANEL_WIDTH)
        return latex.move_to([PANEL_LEFT, PICTURE_TOP, 0], aligned_edge=UL)

    def scenery(self, surface, box, view, mesh, focus, start) -> Group:
        """Floor box with ticks, the surface, axis names and markers, all re-projectable."""
        th = self.theme
        x0, x1, y0, y1 = surface.domain
        floor, labels, markers = VGroup(), VGroup(), VGroup()
        self.lines_3d: list[tuple[Line, np.ndarray]] = []  # re-projected every frame
        self.anchors_3d: list[tuple[VMobject, np.ndarray]] = []

        def line(a, b):
            m = Line(ORIGIN, RIGHT, stroke_color=th.axis, stroke_width=1.5)
            self.lines_3d.append((m, np.array([a, b])))
            return m

        def label(mob, anchor):
            self.anchors_3d.append((mob, np.asarray(anchor, dtype=float)))
            return mob

        w = lambda x, y, z=None: box.world(x, y, box.z_range[0] if z is None else z)  # noqa: E731
        for a, b in ((w(x0, y0), w(x1, y0)), (w(x1, y0), w(x1, y1)), (w(x1, y1), w(x0, y1)),
                     (w(x0, y1), w(x0, y0))):
            floor.add(line(a, b))
        for x in ticks(x0, x1):
            labels.add(label(small(f"{x:g}", th), w(x, y0) + [0, -0.3, 0]))
        for y in ticks(y0, y1):
            labels.add(label(small(f"{y:g}", th), w(x1, y) + [0.3, 0, 0]))
        labels.add(label(text("x", th, 24), w((x0 + x1) / 2, y0) + [0, -0.75, 0]),
                   label(text("y", th, 24), w(x1, (y0 + y1) / 2) + [0.75, 0, 0]))
        top = box.z_range[1]
        floor.add(line(w(x0, y1), w(x0, y1, top)))
        labels.add(label(formula(th, "f(x, y)", size=28), w(x0, y1, top) + [0, 0, 0.3]))
        for c in surface.critical_points:
            if c.kind in ("saddle", "minimum"):
                anchor = box.world(c.x, c.y, surface.f(c.x, c.y))
                mark = (Star(n=5, outer_radius=0.12, color=th.marker, fill_opacity=1,
                             stroke_width=1) if c.kind == "minimum"
                        else Dot(radius=0.07, color=th.marker))
                markers.add(label(mark, anchor))
                if c is focus:
                    markers.add(label(above_paths(text(f"{c.kind} point", th, 20), th),
                                      anchor + [0, 0, 0.35]))
        sx, sy = start
        ring = Circle(radius=0.1, color=th.marker, stroke_width=3)
        markers.add(label(ring, box.world(sx, sy, surface.f(sx, sy))))
        markers.add(label(above_paths(text("start", th, 20), th),
                          box.world(sx, sy, surface.f(sx, sy)) + [0, 0, 0.35]))
        group = Group(floor, mesh.raster(view), labels, markers)
        self.reproject(view)
        return group

    def reproject(self, view: View) -> None:
        """Place every line and label for ``view``: one projection of all their points."""
        n = len(self.lines_3d)
        points = view.project(np.concatenate(
            [np.array([ends for _, ends in self.lines_3d]).reshape(-1, 3),
             np.array([anchor for _, anchor in self.anchors_3d])]))
        for i, (mob, _) in enumerate(self.lines_3d):
            mob.put_start_and_end_on(points[2 * i], points[2 * i + 1])
        for (mob, _), at in zip(self.anchors_3d, points[2 * n:], strict=True):
            mob.move_to(at)

    def legend(self, runs: list[RacerRun], heading: VGroup) -> tuple[VGroup, list[Readout]]:
        return racer_legend([(r.name, r.color, r.racer.summary()) for r in runs], self.theme,
                            "f", below=heading, buff=0.4, size=24)

    def inset(self, runs, focus, legend) -> LogInset:
        """Distance to the focus point against step, log scale: lingering made visible."""
        ref = np.array(focus.point if focus else runs[0].traj.position[0])
        return LogInset([(r.color, distances(r.traj, ref)) for r in runs], self.params.steps,
                        INSET_SIZE, f"distance to the {focus.kind if focus else 'start'} (log) "
                        "by step", self.theme, self.params.radius if focus else None
                        ).place(legend, PANEL_LEFT + 0.45)

    def race(self, runs, surface, box, view, scenery, readouts, inset: LogInset):
        p = self.params
        drawing = RaceDrawing(runs, p.steps, p.warp, self.theme, readouts, inset,
                              lift=lambda pc: lift(pc, surface, box), trail_width=4,
                              head_radius=0.08)
        movers = Group(scenery, *drawing.movers)
        azimuth0 = view.azimuth

        def update(group: Group, alpha: float) -> None:
            # Out and back: the camera swings by `orbit` degrees and returns to where it began.
            view.azimuth = azimuth0 + p.orbit * np.sin(np.pi * alpha) ** 2
            self.reproject(view)
            drawing.update(alpha, surface, project=view.project, head_at=lambda xy: view.project(
                box.world(xy[0], xy[1], surface.f(xy[0], xy[1]))))

        update(movers, 0.0)
        self.add(*movers[1:])
        return UpdateFromAlphaFunc(movers, update)

    def ending(self, runs, surface, box, view) -> VGroup:
        """A cross where each path leaves the plotted region (the steps are in the captions:
        labels on the surface would crowd the saddle)."""
        out = VGroup()
        for r in runs:
            if first_exit(r.traj, surface.domain) is None or not r.pieces:
                continue
            x, y = r.pieces[0].points[-1]
            at = view.project(box.world(x, y, surface.f(x, y)))
            out.add(Cross(scale_factor=0.1, stroke_color=r.color, stroke_width=5).move_to(at))
        return out


def mesh_resolution(surface: Surface) -> tuple[int, int]:
    """Faces enough for a smooth look, not more: about 40 along the longer side."""
    x0, x1, y0, y1 = surface.domain
    ratio = (y1 - y0) / (x1 - x0)
    return (40, max(12, round(40 * ratio))) if ratio <= 1 else (max(12, round(40 / ratio)), 40)


def lift(piece: Piece, surface: Surface, box: SurfaceBox) -> Piece:
    """A clipped path piece subdivided and placed on the surface (world coordinates)."""
    n = len(piece.steps)
    if n < 2:
        pts = piece.points
        return Piece(piece.steps, box.world(pts[:, 0], pts[:, 1], surface.f(pts[:, 0], pts[:, 1])))
    t = np.linspace(0, n - 1, (n - 1) * SUBDIVIDE + 1)
    steps = np.interp(t, np.arange(n), piece.steps)
    x = np.interp(t, np.arange(n), piece.points[:, 0])
    y = np.interp(t, np.arange(n), piece.points[:, 1])
    return Piece(steps, box.world(x, y, surface.f(x, y)))
