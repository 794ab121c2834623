"""The lecture deck as a PowerPoint file: one titled slide per idea, its clip below the title
playing by itself, its last frame as the poster, the lecturer's notes as speaker notes.

Written with python-pptx instead of manim-slides' converter, whose slides are untitled
full-bleed movies started by a ``cond delay="0"`` hack: here the title is a real title
placeholder (PowerPoint's outline and navigation by title, LibreOffice and screen readers see
it), the movie carries alt text, and it starts from the slide's main sequence the way PowerPoint
itself writes "Start: Automatically", so stepping back to a slide plays it again.
"""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scenes.framework.video import video_duration
from scenes.production.deck import DeckSlide
from scenes.production.files import replacing

if TYPE_CHECKING:
    from pptx.presentation import Presentation
    from pptx.slide import Slide

# PowerPoint's own widescreen width (13.333 in); the height follows the frame's shape. Sized in
# inches, not in video pixels, so the title's 28 pt reads the same at any render resolution.
SLIDE_WIDTH = 12_192_000  # EMU
TITLE_BAND = 1 / 8  # of the slide's height, the title's band at the top
TITLE_POINTS = 28
TITLE_ONLY = 5  # the layout of python-pptx's default template with just a title placeholder

# What PowerPoint writes for a movie set to "Start: Automatically": the slide's main sequence
# (stepping back or forth begins it again) starts, after the previous effect, a media call that
# plays the movie from 0 for its length; then the movie's own media node.
TIMING = """\
<p:timing xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">
 <p:tnLst><p:par><p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot"><p:childTnLst>
  <p:seq concurrent="1" nextAc="seek">
   <p:cTn id="2" dur="indefinite" nodeType="mainSeq"><p:childTnLst>
    <p:par><p:cTn id="3" fill="hold">
     <p:stCondLst><p:cond delay="indefinite"/>
      <p:cond evt="onBegin" delay="0"><p:tn val="2"/></p:cond></p:stCondLst>
     <p:childTnLst><p:par><p:cTn id="4" fill="hold">
      <p:stCondLst><p:cond delay="0"/></p:stCondLst>
      <p:childTnLst><p:par>
       <p:cTn id="5" presetID="1" presetClass="mediacall" presetSubtype="0" fill="hold"
              nodeType="afterEffect">
        <p:stCondLst><p:cond delay="0"/></p:stCondLst>
        <p:childTnLst><p:cmd type="call" cmd="playFrom(0.0)"><p:cBhvr>
         <p:cTn id="6" dur="{ms}" fill="hold"/>
         <p:tgtEl><p:spTgt spid="{spid}"/></p:tgtEl>
        </p:cBhvr></p:cmd></p:childTnLst>
       </p:cTn>
      </p:par></p:childTnLst>
     </p:cTn></p:par></p:childTnLst>
    </p:cTn></p:par>
   </p:childTnLst></p:cTn>
   <p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond>
   </p:prevCondLst>
   <p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond>
   </p:nextCondLst>
  </p:seq>
  <p:video><p:cMediaNode vol="80000">
   <p:cTn id="7" fill="hold" display="0"><p:stCondLst><p:cond delay="indefinite"/></p:stCondLst>
   </p:cTn>
   <p:tgtEl><p:spTgt spid="{spid}"/></p:tgtEl>
  </p:cMediaNode></p:video>
 </p:childTnLst></p:cTn></p:par></p:tnLst>
</p:timing>"""


def write_pptx(slides: Sequence[DeckSlide], target: Path, width: int, height: int,
               title: str, colors: tuple[str, str] = ("#FFFFFF", "#000000")) -> None:
    """``target`` (.pptx): one slide per :class:`DeckSlide`, its frame ``width`` x ``height``
    in shape, the file's title ``title``, slides in ``colors`` (background and title, "#RRGGBB":
    the theme's, so a dark clip does not sit on white bars). Built in memory and renamed into
    place: a clip that cannot be read, or a full disk, leaves no file at all."""
    import pptx
    from pptx.util import Emu

    size = (SLIDE_WIDTH, round(SLIDE_WIDTH * height / width))
    prs = pptx.Presentation()
    prs.slide_width, prs.slide_height = Emu(size[0]), Emu(size[1])
    describe(prs, title)
    for item in slides:
        add_slide(prs, item, size, colors)
    with replacing(target) as tmp:
        prs.save(str(tmp))


def describe(prs: Presentation, title: str) -> None:
    """The file's properties: its title, and none of python-pptx's template's (its author, its
    2013 dates, "generated using python-pptx")."""
    now = datetime.now(UTC).replace(tzinfo=None)
    props = prs.core_properties
    props.title, props.author, props.last_modified_by, props.comments = title, "", "", ""
    props.created = props.modified = now


def add_slide(prs: Presentation, item: DeckSlide, size: tuple[int, int],
              colors: tuple[str, str]) -> None:
    """One slide of ``size`` (EMU) in ``colors``: the title in a band at the top, the movie
    filling the rest (its shape kept, centred), the notes as speaker notes."""
    from pptx.dml.color import RGBColor

    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    slide.background.fill.solid()
    slide.background.fill.fore_color.rgb = RGBColor.from_string(colors[0].lstrip("#"))
    band = round(size[1] * TITLE_BAND)
    set_title(slide, item.title, size[0], band)
    for run in slide.shapes.title.text_frame.paragraphs[0].runs:
        run.font.color.rgb = RGBColor.from_string(colors[1].lstrip("#"))
    add_movie(slide, item, (0, band, size[0], size[1] - band))
    notes = slide.notes_slide.notes_text_frame
    if notes is None:
        raise RuntimeError("the notes master has no body placeholder")
    notes.text = item.notes


def set_title(slide: Slide, text: str, width: int, band: int) -> None:
    """The title placeholder moved into the band (the template's is placed for 4:3)."""
    from pptx.util import Emu, Pt

    shape = slide.shapes.title
    if shape is None:
        raise RuntimeError("the Title Only layout has no title placeholder")
    margin = band // 3
    shape.left, shape.top = Emu(margin), Emu(0)
    shape.width, shape.height = Emu(width - 2 * margin), Emu(band)
    shape.text_frame.text = text
    for run in shape.text_frame.paragraphs[0].runs:
        run.font.size = Pt(TITLE_POINTS)


def add_movie(slide: Slide, item: DeckSlide, box: tuple[int, int, int, int]) -> None:
    """The clip, as large as fits in ``box`` (left, top, width, height) with its shape kept,
    centred; its last frame as poster, its narration as alt text, started automatically."""
    from pptx.util import Emu

    poster = item.still
    left, top, width, height = (Emu(n) for n in fitted(poster.size, box))
    png = io.BytesIO()
    poster.save(png, format="PNG")
    png.seek(0)
    movie = slide.shapes.add_movie(str(item.clip), left, top, width, height,
                                   poster_frame_image=png,
                                   mime_type=mimetypes.guess_type(item.clip.name)[0]
                                   or "video/unknown")
    name = movie.element.xpath("./p:nvPicPr/p:cNvPr")[0]
    name.set("descr", item.alt)
    name.set("title", item.title)
    play_automatically(slide, movie.shape_id, video_duration(item.clip))


def fitted(size: tuple[int, int], box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The largest rectangle of ``size``'s shape inside ``box``, centred in it."""
    left, top, width, height = box
    scale = min(width / size[0], height / size[1])
    w, h = round(size[0] * scale), round(size[1] * scale)
    return left + (width - w) // 2, top + (height - h) // 2, w, h


def play_automatically(slide: Slide, shape_id: int, seconds: float) -> None:
    """The slide's timing replaced by :data:`TIMING` for the movie ``shape_id``: python-pptx
    writes only the media node (play on click), and a second ``p:timing`` would be invalid."""
    from pptx.oxml import parse_xml

    timing = parse_xml(TIMING.format(ms=max(round(seconds * 1000), 1), spid=shape_id))
    old = slide.element.xpath("./p:timing")[0]
    old.getparent().replace(old, timing)

