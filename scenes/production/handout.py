"""The lecture deck as a printable handout: one A4 page per slide with the idea's title, its
final picture and the lecturer's notes as real text.

It replaces manim-slides' PDF, which is only pictures of the clips: here the notes can be
searched, copied and read aloud, and a slide's formulas (β₁, √v̂, ε = 10⁻⁸) keep their symbols,
since the text is set in DejaVu Sans, embedded. Its files are found through Pillow's font
lookup (the system's font folders), so no path is written here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from scenes.production.deck import DeckSlide
from scenes.production.files import replacing

if TYPE_CHECKING:
    from fpdf import FPDF
    from PIL import Image

FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MARGIN = 18  # mm, all round
TITLE_POINTS, NOTES_POINTS = 17, 10.5
TITLE_LINE, NOTES_LINE = 8.0, 5.2  # mm from line to line
GAP = 5.0  # mm between the title, the picture and the notes
SMALLEST_PICTURE = 0.5  # of the full width: the picture shrinks to this for long notes, then
SMALLEST_POINTS = 7.0  # the notes' type, down to this; only then do they go on to a further page


def write_handout(slides: Sequence[DeckSlide], target: Path, title: str) -> None:
    """``target`` (.pdf, the document's title ``title``): one A4 page per slide, no cover.
    Notes too long for their page shrink the picture first, then their type, and only then go
    on to a further page, never cut off. Built in memory and renamed into place: a clip that
    cannot be read, or a full disk, leaves no file at all."""
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_title(title)
    pdf.set_draw_color(160)
    pdf.set_line_width(0.2)
    pdf.set_lang("en")
    for style, name in FONT_FILES.items():
        pdf.add_font(FONT, style, font_file(name))
    for item in slides:
        add_page(pdf, item)
    # fontTools logs every step of subsetting the fonts at INFO, which Manim's handler shows.
    subsetting = logging.getLogger("fontTools.subset")
    level = subsetting.level
    subsetting.setLevel(logging.WARNING)
    try:
        with replacing(target) as tmp:
            pdf.output(str(tmp))
    finally:
        subsetting.setLevel(level)


def font_file(name: str) -> str:
    """The path of the font file ``name`` in the system's font folders, or an OSError saying
    which Debian package has it (fonts-dejavu-core, which fontconfig, and so Manim's Pango,
    already pulls in)."""
    from PIL import ImageFont

    try:
        return str(ImageFont.truetype(name).path)
    except OSError as exc:
        raise OSError(f"font {name} not found; install DejaVu Sans "
                      "(Debian: apt-get install fonts-dejavu-core)") from exc


def add_page(pdf: FPDF, item: DeckSlide) -> None:
    """The slide's page: its title as a heading (and a bookmark), its last frame as large as
    the notes leave room for, then the notes."""
    picture = item.still
    pdf.add_page()
    pdf.start_section(item.title)
    width = pdf.epw
    pdf.set_font(FONT, "B", TITLE_POINTS)
    pdf.multi_cell(width, TITLE_LINE, item.title, align="L")
    pdf.ln(GAP)
    smallest = width * picture.height / picture.width * SMALLEST_PICTURE
    for points in np.arange(NOTES_POINTS, SMALLEST_POINTS - 1e-9, -0.5):
        line = NOTES_LINE * points / NOTES_POINTS
        pdf.set_font(FONT, "", points)
        notes_height = cast(float, pdf.multi_cell(width, line, item.notes, align="L",
                                                  dry_run=True, output="HEIGHT"))
        room = pdf.h - MARGIN - pdf.get_y() - GAP - notes_height
        if room >= smallest:  # the notes fit beside the smallest picture at this size
            break
    w, h = picture_size(picture, width, room)
    x, y = pdf.l_margin + (width - w) / 2, pdf.get_y()
    pdf.image(picture, x=x, y=y, w=w, h=h)
    pdf.rect(x, y, w, h)  # a hairline, so a light theme's white frame is not lost in the page
    pdf.set_y(pdf.get_y() + h + GAP)
    pdf.multi_cell(width, line, item.notes, align="L")


def picture_size(picture: Image.Image, width: float, room: float) -> tuple[float, float]:
    """The picture's size on the page: the full ``width`` if ``room`` (the height the notes
    leave) allows, else as high as ``room``, but never under :data:`SMALLEST_PICTURE`."""
    aspect = picture.height / picture.width
    scale = min(1.0, max(room / (width * aspect), SMALLEST_PICTURE))
    return width * scale, width * aspect * scale
