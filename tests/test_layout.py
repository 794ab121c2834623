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
    """Every request gets its own copy of the text laid out first: what a caller does to its
    own text never reaches the next caller's."""
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


READ_ALIKE = [
    ("Gradient descent ends 0.35 from (1, 1) after 2000 steps.", "body", 24, {}),
    ("m̂ = m / (1 − β₁ᵗ);  √v̂ + ε ≈ 10⁻³ × α", "body", 36, {}),
    ("The road map", "body", 34, {"weight": "BOLD"}),
    ("two lines,\nthe second longer", "body", 24, {}),
    ("a\ttab, and  two spaces", "body", 20, {}),
    ("-1.234e+100", "mono", 24, {}),
]


@pytest.mark.parametrize(("s", "font", "size", "kw"), READ_ALIKE)
def test_pango_drawings_are_read_as_manims_own_reader_reads_them(tmp_path, s, font, size, kw):
    """internals.texts reads Pango's drawings itself (five times faster than Manim's general
    SVG reader): the same glyphs, points, styles and size as Manim's Text. Fails loudly if
    Manim changes how it reads them (then PangoText must follow, or go)."""
    import xml.etree.ElementTree as ET

    from manim import Text, VMobject, tempconfig

    from scenes.framework.internals.texts import PangoText, fixed_canvas, pango_glyphs
    from scenes.framework.style import BODY_FONT, MONO_FONT

    font = BODY_FONT if font == "body" else MONO_FONT
    with tempconfig({"media_dir": str(tmp_path)}), fixed_canvas():
        theirs = Text(s, font=font, font_size=size, color="#9AA3B2", **kw)
        ours = PangoText(s, font=font, font_size=size, color="#9AA3B2", **kw)
    assert pango_glyphs(ET.parse(ours.get_file_path()).getroot()) is not None  # read by ours
    assert len(ours.submobjects) == len(theirs.submobjects) > 0
    for a, b in zip(ours.submobjects, theirs.submobjects, strict=True):
        assert type(a) is VMobject and not a.submobjects
        assert a.points.shape == b.points.shape
        assert np.allclose(a.points, b.points, rtol=0, atol=1e-12)
        for style in ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas"):
            assert np.array_equal(getattr(a, style), getattr(b, style)), style
        assert (a.stroke_width, a.background_stroke_width) == (b.stroke_width,
                                                               b.background_stroke_width)
    assert ours.get_center() == pytest.approx(theirs.get_center(), abs=1e-12)
    assert (ours.width, ours.height, ours.font_size) == pytest.approx(
        (theirs.width, theirs.height, theirs.font_size), abs=1e-12)
    assert (ours.text, ours.original_text, len(ours.chars)) == (theirs.text, theirs.original_text,
                                                               len(theirs.chars))
    assert set(vars(ours)) == set(vars(theirs))


def test_a_drawing_of_another_shape_goes_to_manims_reader():
    import xml.etree.ElementTree as ET

    from scenes.framework.internals.texts import pango_glyphs

    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
           '<defs><g><symbol id="g1"><path d="M 0 0 L 1 0 L 1 1 Z"/></symbol></g></defs>'
           '<g style="fill:rgb(100%,0%,0%);fill-opacity:1;">{}</g></svg>')
    use = '<use xlink:href="#g1" x="1" y="2"/>'
    assert len(pango_glyphs(ET.fromstring(svg.format(use)))) == 1
    for other in ('<rect width="1" height="1"/>', '<path d="M 0 0 L 1 1"/>',
                  '<use xlink:href="#g1" x="1" y="2" transform="scale(2)"/>',
                  '<use xlink:href="#g2" x="1" y="2"/>', '<g transform="scale(2)">' + use + '</g>'):
        assert pango_glyphs(ET.fromstring(svg.format(use + other))) is None, other
    unpainted = svg.replace(' style="fill:rgb(100%,0%,0%);fill-opacity:1;"', "")
    assert pango_glyphs(ET.fromstring(unpainted.format(use))) is None


def test_a_text_is_one_path_unless_its_letters_are_asked_for(tmp_path):
    """Scenes show texts whole, so each is drawn as one path (one Cairo call a frame, where
    Manim redraws it in every frame above something that moves); a caller that reads the
    letters (a baseline, a readout's glyphs) asks for them."""
    from manim import tempconfig

    from scenes.framework.internals.texts import laid_out
    from scenes.framework.style import BODY_FONT

    with tempconfig({"media_dir": str(tmp_path)}):
        whole = laid_out("step 12", BODY_FONT, 24, "#FFFFFF")
        letters = laid_out("step 12", BODY_FONT, 24, "#FFFFFF", letters=True)
    assert len(whole.submobjects) == 1 and len(letters.submobjects) == 6
    assert np.array_equal(whole[0].points, np.concatenate([g.points for g in letters]))
    assert np.array_equal(whole[0].fill_rgbas, letters[0].fill_rgbas)
    assert whole.get_center() == pytest.approx(letters.get_center())
    assert letters[0].get_bottom()[1] > letters.get_bottom()[1]  # "s" sits above p's descender


def test_a_readout_sits_on_the_baseline_of_its_label():
    """A live number continues its label's line: its baseline is where the label's letters
    sit, not the bottom of a descender ("step"'s p), in the legends and the algorithm's table."""
    from types import SimpleNamespace

    from scenes.algorithm import AdamAlgorithm

    heading = Rectangle(width=1, height=0.3).move_to([2.5, 2.8, 0])
    legend, readouts = racer_legend([("Adam", "#0000ff", "lr 0.3")], THEME, "loss", heading)
    (header, _), _, step = AdamAlgorithm.table(
        SimpleNamespace(theme=THEME, add=lambda *mobjects: None), Rectangle())
    for label, readout in ((legend[1][0], readouts[0]), (legend[2], readouts[-1]),
                           (header[0], step)):
        baseline = readout.anchor.points[0][1]
        assert baseline == pytest.approx(label[0].get_bottom()[1]), label.original_text
        if "p" in label.original_text:
            assert baseline > label.get_bottom()[1] + 0.02, label.original_text  # p hangs below
