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


def test_a_text_is_laid_out_alike_at_every_render_size(tmp_path):
    """Manim lays a Text out on a canvas as wide as the render and keeps the drawing under a
    name without that width; internals.texts lays every text out on one 4K canvas, so a
    small render cannot leave wrapped captions behind for a large one. Fails loudly if Manim
    stops reading the canvas from its config (then the fixed canvas is not needed, or does
    not work)."""
    from manim import Text, config, tempconfig

    from scenes.framework.internals.texts import laid_out
    from scenes.framework.style import BODY_FONT

    long = "a caption line of forty-two characters ok."
    with tempconfig({"media_dir": str(tmp_path / "large"), "pixel_width": 3840,
                     "pixel_height": 2160}):
        one_line = Text(long, font=BODY_FONT, font_size=32)
    with tempconfig({"media_dir": str(tmp_path / "small"), "pixel_width": 64,
                     "pixel_height": 36}):
        assert Text(long, font=BODY_FONT, font_size=32).height > 1.8 * one_line.height  # wraps
    with tempconfig({"media_dir": str(tmp_path / "ours"), "pixel_width": 64,
                     "pixel_height": 36}):
        ours = laid_out(long, BODY_FONT, 32, "#FFFFFF")
        assert (config["pixel_width"], config["pixel_height"]) == (64, 36)  # put back
    assert ours.width == pytest.approx(one_line.width)
    assert ours.height == pytest.approx(one_line.height)


def test_a_text_asked_for_again_is_a_copy_of_an_untouched_one(tmp_path):
    """The second request keeps an untouched copy, later ones get copies of it: what a caller
    does to its own text never reaches the next caller's."""
    from manim import RIGHT, tempconfig

    from scenes.framework.internals.texts import laid_out
    from scenes.framework.style import BODY_FONT

    with tempconfig({"media_dir": str(tmp_path)}):
        made = [laid_out("asked for three times", BODY_FONT, 24, "#FFFFFF") for _ in range(3)]
        size = (made[0].width, made[0].height)
        made[0].shift(3 * RIGHT)
        made[1].scale(2).set_color("#FF0000")
        made[2].shift(RIGHT)
        later = laid_out("asked for three times", BODY_FONT, 24, "#FFFFFF")
    assert len({id(m) for m in [*made, later]}) == 4
    assert (later.width, later.height) == pytest.approx(size)
    assert later.get_center() == pytest.approx([0, 0, 0], abs=1e-6)
    assert later.get_color().to_hex().upper() == "#FFFFFF"
