"""Scene 0: the opening. What Adam is, the parts it is made of, and the road map of the video.

    manim -ql scenes/opening.py AdamOpening

Algorithm 1 appears whole, then dims; each update line lights up as the idea it comes from is
named, so the viewer sees from the start where every later scene will land. The road map lists the
explainer's own scenes, by their titles.
"""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, FadeIn, FadeOut, Indicate, VGroup

from scenes.catalog import CATALOG
from scenes.framework.notation import IDEAS, algorithm_one
from scenes.framework.scene import ExplainerScene
from scenes.framework.style import (
    FRAME_LEFT,
    FRAME_RIGHT,
    MARGIN,
    PICTURE_BOTTOM,
    PICTURE_TOP,
    fit_above,
    fit_width,
    text,
)

DIM = 0.25  # opacity of a line of the algorithm before its idea is named

# What each update line does, beside the idea it comes from (scenes.framework.notation.IDEAS).
WHAT = (
    "the gradient at the current weights",
    "an average of recent gradients: a direction",
    "an average of squared gradients: a typical size",
    "both averages start at zero: undo that",
    "each weight moves at most about α; ε keeps it safe",
)

CAPTIONS = (
    ("momentum", "Line 2 is momentum: m, a running average of the gradients, gives the direction."),
    ("rmsprop", "Line 3 comes from RMSProp: v, a running average of squared gradients."),
    ("bias", "Line 4 is bias correction: m and v start at zero, and this undoes it."),
    ("step", "Line 5 steps each weight by α times m̂ over its own √v̂: about α at most."),
)


class AdamOpening(ExplainerScene):
    entry = CATALOG["opening"]  # its key, title, description and Params

    def construct(self) -> None:
        self.idea("What Adam is")
        card = self.title_card()
        self.idea("Adam in five lines, one idea each")
        lines, tags = self.dimmed_algorithm(card)
        self.name_the_parts(lines, tags)
        self.idea("The road map", "chapters")
        self.road_map()

    # --- beats --------------------------------------------------------------------------------

    def title_card(self) -> VGroup:
        p, th = self.params, self.theme
        title = fit_width(text(p.title, th, 64, weight="BOLD"), 12.5).move_to(0.9 * UP)
        sub = fit_width(text(p.subtitle, th, 30, color=th.muted), 12.5)
        sub.next_to(title, DOWN, buff=0.45)
        paper = text("Kingma & Ba (2015), “Adam: a method for stochastic optimization”", th, 22,
                     color=th.muted).next_to(sub, DOWN, buff=0.5)
        with self.beat("title", "An optimizer turns gradients into weight updates. Adam is "
                                "the most used."):
            self.play(FadeIn(title, shift=0.2 * UP), FadeIn(sub), run_time=1.0)
            self.play(FadeIn(paper), run_time=0.5)
        self.facts.update(title=p.title, subtitle=p.subtitle)
        with self.beat("question", "This video builds it one idea at a time, and shows why "
                                   "each idea is needed."):
            self.play(Indicate(title, scale_factor=1.05, color=self.theme.symbol("lr")),
                      run_time=1.0)
        return VGroup(title, sub, paper)

    def dimmed_algorithm(self, card: VGroup) -> tuple[VGroup, VGroup]:
        th = self.theme
        lines = algorithm_one(th, size=44, width=7.4)
        if lines.height > PICTURE_TOP - PICTURE_BOTTOM - 0.4:
            lines.scale_to_fit_height(PICTURE_TOP - PICTURE_BOTTOM - 0.4)
        lines.move_to([FRAME_LEFT + MARGIN, PICTURE_TOP - 0.2, 0], aligned_edge=UP + LEFT)
        tags = VGroup()
        left = lines.get_right()[0] + 0.5
        for name, what, line in zip(IDEAS, WHAT, lines[1:], strict=True):
            tag = VGroup(text(name, th, 28, weight="BOLD"), text(what, th, 22, color=th.muted))
            tag.arrange(DOWN, aligned_edge=LEFT, buff=0.08)
            tags.add(tag.move_to([left, line.get_center()[1], 0], aligned_edge=LEFT))
        room = FRAME_RIGHT - MARGIN - left
        if tags.width > room:  # one scale for all, so they stay aligned on the left
            factor = room / tags.width
            for tag in tags:
                tag.scale(factor, about_edge=LEFT)
        fit_above(VGroup(lines, tags))  # line 5's tag clear of the caption band
        with self.beat("algorithm", f"All of Adam: m and v start at zero, then {len(lines) - 1} "
                                    "lines run once per step."):
            self.play(FadeOut(card), run_time=0.5)
            self.play(FadeIn(lines[0]), FadeIn(lines[1:], run_time=1.0))
        with self.beat("gradient", "Line 1 is where every optimizer starts: the gradient, "
                                   "the slope underfoot."):  # the others dim till named
            self.play(lines[2:].animate.set_opacity(DIM), FadeIn(tags[0], shift=0.2 * LEFT),
                      run_time=0.7)
        return lines, tags

    def name_the_parts(self, lines: VGroup, tags: VGroup) -> None:
        for i, (name, caption) in enumerate(CAPTIONS, start=2):
            with self.beat(name, caption):
                self.play(lines[i].animate.set_opacity(1), FadeIn(tags[i - 1], shift=0.2 * LEFT),
                          run_time=0.7)

    def road_map(self) -> None:
        th = self.theme
        chapters = self.chapters()
        rows = VGroup(*(VGroup(text(f"{i}", th, 26, color=th.symbol("lr"), weight="BOLD"),
                               text(title, th, 26)).arrange(RIGHT, buff=0.3)
                        for i, title in enumerate(chapters, start=1)))
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.28)
        rows.move_to([0, (PICTURE_TOP - 2.8) / 2, 0])
        fit_width(rows, FRAME_RIGHT - FRAME_LEFT - 2 * MARGIN)
        heading = text("The road map", th, 34, weight="BOLD").next_to(rows, UP, buff=0.4)
        heading.align_to(rows, LEFT)
        self.facts.update(chapters=list(chapters))
        self.clear_stage()
        with self.beat("map", f"The road map: {len(chapters)} parts, each one idea with its "
                              "own picture."):
            self.play(FadeIn(heading), FadeIn(rows, lag_ratio=0.15), run_time=1.5)

    def chapters(self) -> tuple[str, ...]:
        """The titles of the explainer's scenes between this one and the recap."""
        return tuple(entry.title for entry in CATALOG.values()
                     if entry.key not in ("opening", "recap"))
