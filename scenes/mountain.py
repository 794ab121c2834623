"""Scene 1: the mountain analogy. A hiker in fog feels only the slope underfoot: gradient descent.

    manim -ql scenes/mountain.py MountainAnalogy
"""

from __future__ import annotations

from dataclasses import dataclass
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

from optim_core import analysis as A
from optim_core import interpolator, run, sgd
from optim_core.surfaces import Surface, mountain
from scenes.base import ExplainerScene
from scenes.params import param
from scenes.plot2d import PlaneMap, set_polyline
from scenes.style import (
    Readout,
    formula,
    paragraph,
    text,
)

FOG_BOX = (-5.9, 7.2, -3.35, 0.95)  # the landscape part of the frame, under the text
CAPTION_Y = 1.45  # one line of text between the readouts and the landscape
HIKER_SVG = Path(__file__).resolve().parent.parent / "assets" / "hiker.svg"


@dataclass(frozen=True)
class MountainParams:
    bowl: float = param(0.06, "curvature of the range as a whole (J = bowl θ² + ...)",
                        interval="(0, 1]")
    ripple: float = param(0.9, "height of the ripples that make the valleys", interval="[0, 3]")
    frequency: float = param(1.3, "how close together the valleys are", interval="(0, 5]")
    start: float = param(4.5, "where the hiker starts (θ)", interval="[-5.5, 5.5]")
    lr: float = param(0.4, "learning rate α of the main walk", interval="(0, 10]")
    lr_small: float = param(0.05, "a learning rate that is too small", interval="(0, 10]")
    lr_large: float = param(1.2, "a learning rate that is too large", interval="(0, 10]")
    steps: int = param(30, "gradient-descent steps of each walk", interval="[1, 500]")
    fog: float = param(1.2, "how far the hiker can see (scene units)", interval="[0.3, 10]")


# --- facts, computed from the trajectories -------------------------------------------------------

def valley_facts(surface: Surface, theta: float) -> tuple[float, float, float, float]:
    """(nearest local minimum, its J, lowest minimum, its J) for a final position theta."""
    minima = [c.x for c in surface.minima]
    near = min(minima, key=lambda m: abs(m - theta))
    low = min(minima, key=lambda m: surface.f(m, 0.0))
    return near, float(surface.f(near, 0.0)), low, float(surface.f(low, 0.0))


def lr_verdict(theta: np.ndarray, floor: float, steps: int, diverged_at: int | None) -> str:
    """How a learning rate behaved, from its iterates around the valley floor it ended near."""
    if diverged_at is not None:
        return f"diverged at step {diverged_at}"
    side = np.sign(theta - floor)
    crossings = int(np.count_nonzero(side[1:] * side[:-1] < 0))
    gap = abs(theta[-1] - floor)
    if crossings:
        return (f"jumped across the valley floor {crossings} times in {steps} steps; "
                f"still {gap:.3g} away")
    return f"after {steps} steps still {gap:.3g} from the valley floor"


class MountainAnalogy(ExplainerScene):
    key = "mountain"
    title = "A hiker in the fog: gradient descent"
    description = "Gradient descent as a hiker in fog who only feels the slope underfoot"
    Params = MountainParams

    def construct(self) -> None:
        p, th = self.params, self.theme
        land = mountain(p.bowl, p.ripple, p.frequency)
        walk = run(sgd(p.lr), land, (p.start, 0.0), p.steps)
        theta = walk.position[: walk.valid_steps, 0]

        # Beat 1: the range in profile; position is the weights, altitude the loss.
        pm, ground, labels = self.landscape(land)
        title = text(self.title, th, 34, weight="BOLD").to_edge(UP, buff=0.3)
        self.title_mob = title
        self.subtitle("Training is a walk over a landscape: position = the weights θ, "
                      "altitude = the loss J(θ).", 3)
        self.play(FadeIn(title), Create(ground), run_time=1.5)
        self.play(FadeIn(labels), run_time=1.0)

        # Beat 2: fog rolls in; the hiker sees only the ground underfoot.
        hiker = self.hiker(pm, land, theta[0])
        fog = self.fog(hiker)
        self.subtitle("In thick fog the hiker sees only the ground underfoot.", 2.5)
        self.play(FadeIn(fog), FadeIn(hiker), run_time=1.5)
        self.wait(0.5)

        # Beat 3: the slope underfoot, the gradient uphill and the step downhill.
        slope = self.slope(pm, land, theta[0], walk.grad[0, 0])
        g0 = walk.grad[0, 0]
        self.subtitle(f"The slope underfoot is the gradient, ∇J = {g0:.3g}: it points uphill. "
                      f"The step goes the other way, scaled by α = {p.lr:g}.", 4)
        self.play(Create(slope[0]), run_time=0.8)
        self.play(FadeIn(slope[1:]), run_time=1.2)
        self.wait(1.0)

        # Beat 4: the rule, term by term.
        rule = formula(th, r"\theta_{\mathrm{new}}", "=", r"\theta_{\mathrm{old}}", "-",
                       (r"\alpha", "lr"), (r"\nabla J(\theta_{\mathrm{old}})", "g"), size=42)
        rule.next_to(title, DOWN, buff=0.3)
        self.subtitle("The rule: new position = old position minus the learning rate times "
                      "the gradient.", 4)
        for part in (rule[0:3], rule[3], rule[4], rule[5]):
            self.play(Write(part), run_time=0.6)
        self.wait(0.8)

        # Beat 5: the walk, every position an iterate of the core's gradient descent.
        readouts = self.readouts(rule)
        self.play(FadeOut(slope), FadeIn(readouts[0]), run_time=0.6)
        self.upper = VGroup(rule, readouts[0], *readouts[1])
        self.subtitle(f"{p.steps} steps of gradient descent with α = {p.lr:g}.", 6)
        self.play(self.walk_animation(pm, land, walk, hiker, fog, readouts[1]), run_time=6,
                  rate_func=linear)

        # Beat 6: what the learning rate does.
        near, j_near, low, j_low = valley_facts(land, float(theta[-1]))
        compare = self.learning_rates(pm, land, near)
        self.play(FadeIn(compare[0]), run_time=1.0)
        self.wait(2.5)
        self.play(FadeOut(compare[0]), FadeIn(compare[1]), run_time=1.0)
        self.wait(2.5)

        # Beat 7: the limits of the picture: a valley is not the lowest valley.
        self.play(FadeOut(compare[1]), run_time=0.5)
        self.limits(pm, land, walk, fog, near, j_near, low, j_low)

    # --- helpers ----------------------------------------------------------------------------

    def landscape(self, land: Surface) -> tuple[PlaneMap, VGroup, VGroup]:
        th = self.theme
        x0, x1, _, _ = land.domain
        xs = np.linspace(x0, x1, 400)
        js = land.f(xs, 0.0)
        pm = PlaneMap.stretch((x0, x1, float(js.min()) - 0.6, float(js.max()) + 0.4),
                              12.0, 3.3, np.array([0.35, -1.45, 0.0]))
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
        figure = SVGMobject(str(HIKER_SVG), height=0.75).set_fill(self.theme.text, 1)
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
        g_label = formula(th, (r"\nabla J", "g"), size=30).next_to(g_arrow, UP, buff=0.08)
        s_label = formula(th, "-", (r"\alpha", "lr"), (r"\nabla J", "g"), size=30)
        s_label.next_to(s_arrow, DOWN, buff=0.08)
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

    def learning_rates(self, pm: PlaneMap, land: Surface, floor: float) -> list[VGroup]:
        """Two panels drawn on the range: a crawl and an overshoot, each from the core."""
        p, th = self.params, self.theme
        out = []
        for lr, word, color in ((p.lr_small, "too small", th.symbol("lr")),
                                (p.lr_large, "too large", th.symbol("g"))):
            traj = run(sgd(lr), land, (p.start, 0.0), p.steps)
            theta = traj.position[: traj.valid_steps, 0]
            inside = theta[(theta >= land.domain[0]) & (theta <= land.domain[1])]
            pts = pm(np.column_stack([inside, land.f(inside, 0.0)]))
            path = set_polyline(VMobject(), [pts]).set_stroke(color, width=3)
            dots = VGroup(*(Dot(pt, radius=0.045, color=color) for pt in pts))
            verdict = lr_verdict(theta, floor, p.steps,
                                 int(traj.diverged_at) if traj.diverged else None)
            caption = text(f"α = {lr:g} is {word}: {verdict}.", th, 22, color=color)
            caption.scale_to_fit_width(min(caption.width, 13.0)).move_to([0, CAPTION_Y, 0])
            out.append(VGroup(path, dots, caption))
        return out

    def limits(self, pm, land, walk, fog, near, j_near, low, j_low) -> None:
        th = self.theme
        k, pos, loss = A.final(walk)
        grad = float(walk.grad[k, 0])
        if abs(near - low) < 1e-9:
            lines = [f"After {k} steps the hiker stands at θ = {pos[0]:.3g} with slope "
                     f"{grad:.2g}: the lowest valley of this range."]
        else:
            floor = (f"{grad:.2g}: a valley floor, so every step is now tiny."
                     if abs(pos[0] - near) < 0.05 else
                     f"{grad:.2g}, still {abs(pos[0] - near):.3g} from the valley floor.")
            lines = [f"After {k} steps the hiker stands at θ = {pos[0]:.3g}, where the slope is "
                     + floor,
                     f"The lowest valley, at θ = {low:.3g}, is {j_near - j_low:.3g} lower. "
                     f"The slope underfoot cannot show it."]
        note = paragraph(lines, th, 24, width=12.5).next_to(self.title_mob, DOWN, buff=0.3)
        self.subtitle(" ".join(lines), 5)
        self.play(FadeOut(self.upper), FadeIn(note), run_time=1.0)
        self.wait(1.5)
        marks = VGroup()
        for theta, label in ((near, "stopped here"), (low, "lowest valley")):
            at = self.ground_point(pm, land, theta)
            marks.add(DashedLine(at + 1.1 * UP, at, color=th.muted),
                      text(label, th, 20, color=th.muted).next_to(at + 1.1 * UP, UP, 0.05))
        self.play(FadeOut(fog), FadeIn(marks), run_time=1.5)
        self.wait(2.5)
