"""Scene 1: the mountain analogy. A hiker in fog feels only the slope underfoot: gradient descent.

    manim -ql scenes/mountain.py MountainAnalogy
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    Line,
    SVGMobject,
    UpdateFromAlphaFunc,
    VGroup,
    VMobject,
    Write,
    linear,
)

from optim_core import interpolator, run, sgd
from optim_core.analysis import Walk, final, lowest_floor, nearest_floor
from optim_core.surfaces import Surface, mountain
from scenes.catalog import CATALOG
from scenes.framework.assets import ASSETS
from scenes.framework.captions import first_fitting
from scenes.framework.numbers import readable, tex_number
from scenes.framework.palette import optimizer_color
from scenes.framework.plot2d import PlaneMap, set_polyline
from scenes.framework.scene import ExplainerScene
from scenes.framework.style import Readout, formula, number, scene_title, text

FOG_BOX = (-5.7, 7.2, -2.1, 1.55)  # the landscape (not its axes' labels), under the text
LAND_CENTER = np.array([0.35, -0.3, 0.0])
FLOOR_TOLERANCE = 0.05  # θ-distance to a valley floor that counts as standing on it
HIKER_SVG = ASSETS / "hiker.svg"


def drawing(svg: Path, **kwargs) -> SVGMobject:
    """An SVG file as a mobject, read from a private copy: Manim's reader writes a changed
    copy next to the file it reads (``hiker_.svg``) and deletes it, which fails where the
    package is installed read-only, and when two renders read the same file at once (one
    deletes the other's copy)."""
    with tempfile.TemporaryDirectory(prefix="adam-animated-svg-") as folder:
        copy = Path(folder) / svg.name
        shutil.copyfile(svg, copy)
        return SVGMobject(str(copy), use_svg_cache=False, **kwargs)


# --- facts, computed from the trajectories -------------------------------------------------------

def works(walk: Walk) -> bool:
    """A walk works if it ends on a valley floor (within FLOOR_TOLERANCE) without diverging."""
    return walk.diverged_at is None and walk.gap <= FLOOR_TOLERANCE


def lr_caption(walk: Walk, reference: Walk) -> str:
    """One learning rate's verdict, from its own walk; "also" when the main walk works too."""
    a = f"α = {walk.lr:g}"
    if walk.diverged_at is not None:
        return f"{a} is too large: the walk diverges at step {walk.diverged_at}."
    if works(walk):
        return (f"{a}{' also' if works(reference) else ''} works: after {walk.steps} steps it "
                f"is {number(walk.gap, 2)} from the valley floor.")
    if walk.crossings:
        return (f"{a} is too large: {walk.crossings} jumps across the floor, still "
                f"{walk.gap:.2g} away.")
    return f"{a} is too small: after {walk.steps} steps still {walk.gap:.2g} from the floor."


def limit_captions(surface: Surface, k: int, theta: float, slope: float) -> list[str]:
    """Where the main walk ended, and what the slope underfoot could not show."""
    near, low = nearest_floor(surface, theta), lowest_floor(surface)
    gap = abs(theta - near)
    drop = float(surface.f(near, 0.0) - surface.f(low, 0.0))
    if gap <= FLOOR_TOLERANCE:
        where = "the lowest valley floor" if near == low else "a valley floor"
        rests = f"After {k} steps the hiker rests on {where} at θ = {theta:.3g}"
        first = first_fitting(f"{rests}, slope {number(abs(slope), 2)}.", f"{rests}.")
    else:
        first = f"After {k} steps the hiker is at θ = {theta:.3g}, {gap:.3g} from a valley floor."
    if near == low:
        return [first]
    return [first, f"The lowest valley, at θ = {low:.3g}, is {drop:.3g} lower: the slope "
                   "underfoot cannot show it."]


class MountainAnalogy(ExplainerScene):
    entry = CATALOG["mountain"]  # its key, title, description and Params

    def construct(self) -> None:
        p, th = self.params, self.theme
        land = mountain(p.bowl, p.ripple, p.frequency)
        walk = run(sgd(p.lr), land, (p.start, 0.0), p.steps)
        theta = walk.position[: walk.valid_steps, 0]
        pm, ground, labels = self.landscape(land)
        title = scene_title(self.title, th)

        # Beat 1: the range in profile.
        self.idea("Gradient descent: a hiker in fog", "gradient_at_start")
        with self.beat("landscape", "Training is a walk over a landscape of loss."):
            self.play(FadeIn(title), Create(ground), run_time=1.5)

        # Beat 2: position is the weights, altitude the loss.
        with self.beat("weights", "Position is the weights θ; altitude is the loss J(θ)."):
            self.play(FadeIn(labels), run_time=1.0)

        # Beat 3: fog rolls in; the hiker sees only the ground underfoot.
        hiker = self.hiker(pm, land, theta[0])
        fog = self.fog(hiker)
        with self.beat("fog", "In thick fog, the hiker sees only the ground underfoot."):
            self.play(FadeIn(fog), FadeIn(hiker), run_time=1.5)

        # Beat 4: the slope underfoot is the gradient; it points uphill.
        g0 = float(walk.grad[0, 0])
        slope = self.slope(pm, land, theta[0], g0)
        with self.beat("slope",
                       f"The slope underfoot is the gradient, ∇J = {readable(g0)}. " +
                       ("It points uphill." if g0 != 0 else "Flat: no way is downhill.")):
            self.play(Create(slope[0]), run_time=0.8)
            self.play(FadeIn(slope[1:3]), run_time=0.8)

        # Beat 5: the step goes the other way, scaled by the learning rate.
        with self.beat("step", f"So the hiker steps the other way, scaled by the learning rate "
                       f"α = {p.lr:g}."):
            self.play(FadeIn(slope[3:]), run_time=0.8)

        # Beat 6: the rule, term by term.
        rule = formula(th, r"\theta_{\mathrm{new}}", "=", r"\theta_{\mathrm{old}}", "-",
                       (r"\alpha", "lr"), (r"\nabla J(\theta_{\mathrm{old}})", "g"), size=42)
        rule.next_to(title, DOWN, buff=0.35).set_x(0)
        with self.beat("rule", "The rule: new position = old position − α × the gradient."):
            for part in (rule[0:3], rule[3], rule[4], rule[5]):
                self.play(Write(part), run_time=0.6)

        # Beat 7: the walk, every position an iterate of the core's gradient descent.
        labels_row, readouts = self.readouts(rule)
        self.idea("The learning rate: too small, too large", "walk", "compared")
        with self.beat("walk",
                       f"{walk.valid_steps - 1} steps of gradient descent with α = {p.lr:g}."):
            self.play(FadeOut(slope), FadeIn(labels_row), run_time=0.6)
            self.play(self.walk_animation(pm, land, walk, hiker, fog, readouts), run_time=6,
                      rate_func=linear)

        # Beats 8-9: what the learning rate does: the verdicts follow the walks.
        main = Walk.of(walk, land, p.lr)
        self.facts.update(gradient_at_start=g0, walk=main)
        self.lr_captions = []
        for i, (name, lr) in enumerate((("lr-small", p.lr_small), ("lr-large", p.lr_large))):
            color = optimizer_color("sgd", th, i, 2)  # two walks of gradient descent
            traj = run(sgd(lr), land, (p.start, 0.0), p.steps)
            compared = Walk.of(traj, land, lr)
            self.facts.setdefault("compared", []).append(compared)
            caption = lr_caption(compared, main)
            self.lr_captions.append(caption)
            drawn = self.lr_walk(pm, land, traj, lr, color, None if compared.diverged_at
                                 is not None or works(compared) else
                                 f"ends {compared.gap:.2g} from the floor")
            with self.beat(name, caption):
                # the readouts are the main walk's: they leave while another α walks
                hide = [FadeOut(labels_row, *readouts)] if i == 0 else []
                self.play(FadeIn(drawn), *hide, run_time=1.0)
            self.remove(drawn)

        # Beats 10+: the limits of the picture: a valley is not the lowest valley.
        k, pos, _ = final(walk)
        self.facts.update(final_theta=float(pos[0]), final_slope=float(walk.grad[k, 0]),
                          nearest_floor=nearest_floor(land, float(pos[0])),
                          lowest_floor=lowest_floor(land))
        self.limit_captions = limit_captions(land, k, float(pos[0]), float(walk.grad[k, 0]))
        marks = self.valley_marks(pm, land, float(pos[0]))
        self.idea("What the slope underfoot cannot show", "final_theta", "final_slope",
                  "nearest_floor", "lowest_floor")
        for i, caption in enumerate(self.limit_captions):
            with self.beat(f"limit-{i + 1}", caption):
                if i == 0:  # back to the main walk: its last step's readouts return
                    self.play(FadeOut(fog), FadeIn(marks), FadeIn(labels_row, *readouts),
                              run_time=1.2)

    # --- helpers ----------------------------------------------------------------------------

    def landscape(self, land: Surface) -> tuple[PlaneMap, VGroup, VGroup]:
        th = self.theme
        x0, x1, _, _ = land.domain
        xs = np.linspace(x0, x1, 400)
        js = land.f(xs, 0.0)
        pm = PlaneMap.stretch((x0, x1, float(js.min()) - 0.6, float(js.max()) + 0.4),
                              12.0, 3.5, LAND_CENTER)
        ridge = VMobject().set_points_as_corners(pm(np.column_stack([xs, js])))
        floor = pm(np.array([[x1, js.min() - 0.6], [x0, js.min() - 0.6]]))
        body = VMobject().set_points_as_corners(
            np.vstack([pm(np.column_stack([xs, js])), floor, pm(np.array([[x0, js[0]]]))]))
        body.set_fill(th.panel, opacity=1).set_stroke(width=0)
        ridge.set_stroke(th.axis, width=4)
        axis = Arrow(pm(np.array([x0, js.min() - 0.6])) + 0.25 * DOWN,
                     pm(np.array([x1, js.min() - 0.6])) + 0.25 * DOWN, buff=0,
                     stroke_width=3, color=th.muted, max_tip_length_to_length_ratio=0.02)
        up = Arrow(pm(np.array([x0, js.min() - 0.6])) + 0.3 * LEFT,
                   pm(np.array([x0, js.max()])) + 0.3 * LEFT, buff=0, stroke_width=3,
                   color=th.muted, max_tip_length_to_length_ratio=0.08)
        labels = VGroup(axis, up,
                        text("position θ = the weights", th, 22, color=th.muted)
                        .next_to(axis, DOWN, buff=0.1),
                        text("altitude J(θ) = the loss", th, 22, color=th.muted)
                        .rotate(np.pi / 2).next_to(up, LEFT, buff=0.1))
        return pm, VGroup(body, ridge), labels

    def ground_point(self, pm: PlaneMap, land: Surface, theta: float) -> np.ndarray:
        return pm(np.array([theta, float(land.f(theta, 0.0))]))

    def hiker(self, pm: PlaneMap, land: Surface, theta: float) -> SVGMobject:
        figure = drawing(HIKER_SVG, height=0.75).set_fill(self.theme.text, 1)
        figure.set_stroke(width=0)
        return figure.move_to(self.ground_point(pm, land, theta), aligned_edge=DOWN)

    def fog(self, hiker: VMobject) -> VGroup:
        """Soft fog over the landscape: stacked layers, each with a clear disc at the hiker."""
        layers = VGroup(*(VMobject(fill_color=self.theme.background, fill_opacity=opacity,
                                   stroke_width=0) for opacity in (0.6, 0.5, 0.5)))
        self.clear_fog(layers, hiker)
        return layers

    def clear_fog(self, layers: VGroup, hiker: VMobject) -> None:
        """Move the clear discs to the hiker (a reversed circle cuts a hole: winding rule)."""
        x0, x1, y0, y1 = FOG_BOX
        sheet = np.array([[x0, y0, 0], [x1, y0, 0], [x1, y1, 0], [x0, y1, 0], [x0, y0, 0]])
        angles = np.linspace(0, -2 * np.pi, 49)
        circle = np.column_stack([np.cos(angles), np.sin(angles), np.zeros_like(angles)])
        for k, layer in enumerate(layers):
            radius = self.params.fog * (1 + 0.35 * k)
            set_polyline(layer, [sheet, hiker.get_center() + radius * circle])

    def slope(self, pm: PlaneMap, land: Surface, theta: float, grad: float) -> VGroup:
        th = self.theme
        at = self.ground_point(pm, land, theta)
        direction = pm(np.array([1.0, grad])) - pm(np.array([0.0, 0.0]))
        direction /= np.linalg.norm(direction)
        tangent = Line(at - 0.9 * direction, at + 0.9 * direction).set_stroke(th.muted, width=3)
        uphill = np.sign(grad) * RIGHT
        g_arrow = Arrow(at + 0.55 * UP, at + 0.55 * UP + 1.3 * uphill, buff=0,
                        color=th.symbol("g"), stroke_width=5)
        step_len = min(3.0, max(0.3, abs(pm.ex[0] * self.params.lr * grad)))
        s_arrow = Arrow(at + 0.25 * DOWN, at + 0.25 * DOWN - step_len * uphill, buff=0,
                        color=th.symbol("lr"), stroke_width=5)
        # Above the hiker, on the downhill side: the ground rises the other way, through anything
        # written over the arrow. With the caption's value, drawn.
        g_label = formula(th, (r"\nabla J", "g"), f"= {tex_number(grad)}",
                          size=30).next_to(g_arrow.get_start(), UP - uphill, buff=0.25)
        s_label = formula(th, "-", (r"\alpha", "lr"), (r"\nabla J", "g"), size=30)
        s_label.next_to(s_arrow.get_end(), UP - uphill, buff=0.1)  # above the valley's floor
        return VGroup(tangent, g_arrow, g_label, s_arrow, s_label)

    def readouts(self, rule: VGroup) -> tuple[VGroup, list[Readout]]:
        th = self.theme
        names = [("step", th.text), ("θ", th.text), ("J(θ)", th.text), ("∇J", th.symbol("g"))]
        labels, readouts = VGroup(), []
        for i, (name, color) in enumerate(names):
            label = text(name, th, 22, color=th.muted)
            label.move_to(rule.get_bottom() + DOWN * 0.55 + RIGHT * (i - 1.5) * 3.0,
                          aligned_edge=LEFT)
            labels.add(label)
            readouts.append(Readout("", color, size=22).place(
                np.array([label.get_right()[0] + 0.15, label.get_bottom()[1], 0])))
        return labels, readouts

    def walk_animation(self, pm, land, walk, hiker, fog, readouts) -> UpdateFromAlphaFunc:
        steps = walk.valid_steps - 1
        movers = VGroup(hiker, fog, *readouts)
        where = interpolator(walk.position[: steps + 1, 0])

        def update(group: VGroup, alpha: float) -> None:
            s = alpha * steps
            theta = float(where(s))
            hiker.move_to(self.ground_point(pm, land, theta), aligned_edge=DOWN)
            self.clear_fog(fog, hiker)
            k = int(s)
            readouts[0].set_text(f"{k}")
            readouts[1].set_text(f"{walk.position[k, 0]:.4f}")
            readouts[2].set_text(f"{walk.loss[k]:.4f}")
            readouts[3].set_text(f"{walk.grad[k, 0]:+.4f}")

        update(movers, 0.0)
        self.add(*readouts)
        return UpdateFromAlphaFunc(movers, update)

    def lr_walk(self, pm: PlaneMap, land: Surface, traj, lr: float, color: str,
                end: str | None) -> VGroup:
        """One learning rate's walk drawn on the range, with its α as a label, and ``end``
        (how far from the floor it ends, the caption's number) under its last step."""
        theta = traj.position[: traj.valid_steps, 0]
        inside = theta[(theta >= land.domain[0]) & (theta <= land.domain[1])]
        pts = pm(np.column_stack([inside, land.f(inside, 0.0)]))
        path = set_polyline(VMobject(), [pts]).set_stroke(color, width=3)
        dots = VGroup(*(Dot(pt, radius=0.045, color=color) for pt in pts))
        label = formula(self.theme, (rf"\alpha = {lr:g}", "lr"), size=32).set_color(color)
        label.next_to(VGroup(path, dots), UP, buff=0.35)
        drawn = VGroup(path, dots, label)
        if end is not None and len(pts):
            drawn.add(text(end, self.theme, 20, color=color).next_to(pts[-1], DOWN, buff=0.3))
        return drawn

    def valley_marks(self, pm: PlaneMap, land: Surface, theta: float) -> VGroup:
        """Dashed marks at the valley floor the hiker ended nearest and at the lowest one."""
        th = self.theme
        near, low = nearest_floor(land, theta), lowest_floor(land)
        spots = [(near, "nearest floor")] if near != low else []
        spots.append((low, "lowest valley"))
        left = self.ground_point(pm, land, land.domain[0])[0]  # labels stay over the range
        marks = VGroup()
        for x, name in spots:
            at = self.ground_point(pm, land, x)
            label = VGroup(text(name, th, 22, color=th.muted),
                           text(f"θ = {x:.3g}", th, 22, color=th.muted)).arrange(DOWN, buff=0.06)
            label.next_to(at + 1.1 * UP, UP, 0.05)
            label.shift(max(0.0, left - label.get_left()[0]) * RIGHT)
            marks.add(DashedLine(at + 1.1 * UP, at, color=th.muted), label)
        return marks
