"""The explainer's one notation: Algorithm 1 as every scene draws it (numbers as a viewer reads
them are in ``numbers``).

Kingma & Ba (2015), Algorithm 1, in the storyboard's symbols: θ the weights, J the loss, g_t the
gradient, α the learning rate, β₁ and β₂ the decays, ε the guard.
"""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, VGroup

from scenes.framework.palette import Theme
from scenes.framework.style import fit_width, formula, text

# What each update line of Algorithm 1 is, in the order the lines are drawn (after the line
# that starts the loop): the idea of the explainer it comes from.
IDEAS = ("the slope underfoot", "momentum", "RMSProp", "bias correction", "the step")


def algorithm_one(theme: Theme, size: float = 38, width: float = 6.8) -> VGroup:
    """Algorithm 1: the line that starts the loop, then its five update lines (one per entry of
    :data:`IDEAS`), each numbered as captions name them ("Line 5") and each piece of a symbol
    in that symbol's colour. ``result[0]`` is the loop line; ``result[1 + i]`` is the line of
    ``IDEAS[i]``, its number its last part."""
    th = theme
    start = formula(th, ("m_0", "m"), r"\leftarrow 0,\ ", ("v_0", "v"),
                    r"\leftarrow 0; \quad \text{for } t = 1, 2, \dots:", size=size)
    rows = [
        formula(th, ("g_t", "g"), r"\leftarrow \nabla J(\theta_{t-1})", size=size),
        formula(th, ("m_t", "m"), r"\leftarrow", (r"\beta_1", "beta1"), ("m_{t-1}", "m"),
                "+ (1 -", (r"\beta_1", "beta1"), ")", ("g_t", "g"), size=size),
        formula(th, ("v_t", "v"), r"\leftarrow", (r"\beta_2", "beta2"), ("v_{t-1}", "v"),
                "+ (1 -", (r"\beta_2", "beta2"), ")", ("g_t^2", "g"), size=size),
        formula(th, (r"\hat{m}_t", "m_hat"), r"\leftarrow", ("m_t", "m"), "/ (1 -",
                (r"\beta_1^t", "beta1"), r"), \quad", (r"\hat{v}_t", "v_hat"), r"\leftarrow",
                ("v_t", "v"), "/ (1 -", (r"\beta_2^t", "beta2"), ")", size=size),
        formula(th, r"\theta_t \leftarrow \theta_{t-1} -", (r"\alpha", "lr"),
                (r"\hat{m}_t", "m_hat"), r"/ (\sqrt{", (r"\hat{v}_t", "v_hat"), "} +",
                (r"\epsilon", "eps"), ")", size=size),
    ]
    body = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.75 * size / 38)
    lines = VGroup(start, *body)
    body.next_to(start, DOWN, aligned_edge=LEFT, buff=0.6 * size / 38).shift(0.5 * RIGHT)
    for i, line in enumerate(body, start=1):
        line.add(text(f"{i}", th, 24 * size / 44, color=th.muted).next_to(line, LEFT, buff=0.3)
                 .set_x(start.get_left()[0] + 0.1))
    return fit_width(lines, width)
