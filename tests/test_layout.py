"""The shared layout keeps every part inside the picture: above the caption band, inside the
frame, whatever the parameters make long or tall."""

import numpy as np
import pytest
from manim import DOWN, Rectangle

from scenes.framework.palette import THEMES
from scenes.framework.plot2d import LogInset
from scenes.framework.style import (
    FRAME_RIGHT,
    PICTURE_BOTTOM,
    READOUT_CHARS,
    caption_band,
    format_number,
    racer_legend,
)

THEME = THEMES["dark"]


def test_the_picture_ends_above_a_two_line_caption():
    assert caption_band(["Agy", "Agy"], THEME).get_top()[1] < PICTURE_BOTTOM - 0.1


@pytest.mark.parametrize("legend_height", [1.0, 3.5, 4.5])
def test_a_log_inset_under_a_tall_legend_stays_above_the_caption_band(legend_height):
    legend = Rectangle(width=3, height=legend_height).move_to([3, 3 - legend_height / 2, 0])
    values = np.geomspace(1000, 0.001, 51)
    inset = LogInset([("#ff0000", values)], 50, (4.6, 1.7), "loss (log) by step", THEME)
    inset.place(legend, 1.0, buff=0.45)
    frame = inset.group[0]
    assert inset.group.get_bottom()[1] >= PICTURE_BOTTOM - 1e-9
    assert inset.group.get_top()[1] <= legend.get_bottom()[1] - 0.45 + 1e-9
    # The line still starts at the top left corner of the frame and ends on its bottom right.
    (points, _), = inset.paths
    x_axis, y_axis = frame[0], frame[1]
    assert points[0][:2] == pytest.approx([y_axis.get_x(), y_axis.get_top()[1]], abs=1e-6)
    assert points[-1][:2] == pytest.approx([x_axis.get_right()[0], x_axis.get_y()], abs=1e-6)


def test_the_longest_readout_fits_in_the_frame_even_after_a_long_name():
    assert len(format_number(-1.2345e100)) == READOUT_CHARS
    heading = Rectangle(width=1, height=0.3).move_to([2.5, 2.8, 0])
    entries = [("Gradient descent with momentum", "#ff0000", "lr 0.1"),
               ("Adam", "#0000ff", "lr 0.3")]
    legend, readouts = racer_legend(entries, THEME, "f", heading)
    readouts[0].set_text(format_number(-1.2345e100))
    assert readouts[0].get_right()[0] < FRAME_RIGHT
    assert legend.get_left()[0] == pytest.approx(heading.get_left()[0])
    assert legend.get_top()[1] == pytest.approx((heading.get_bottom() + 0.4 * DOWN)[1])
