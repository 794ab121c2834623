"""The deck's own files as their readers meet them: the .pptx read back with python-pptx and
opened by LibreOffice (a real client), the handout read by poppler's pdftotext.

Three tiny slides from synthetic clips (an mp4 with an AAC track, a webm, a silent mp4): each
clip is grey until its last frame, which has a colour of its own, so a poster taken from any
other frame shows.
"""

from __future__ import annotations

import errno
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from scenes.production.deck import DeckSlide
from scenes.production.handout import font_file, write_handout
from scenes.production.powerpoint import write_pptx

SIZE, FPS = (256, 144), 5
COLOURS = [(210, 40, 40), (40, 180, 60), (40, 60, 210)]
TITLES = ["Adam against SGD: β₁ = 0.9", "Bias correction of √v̂", "Why ε = 10⁻⁸"]
NS = {"p": "http://schemas.openxmlformats.org/presentationml/2006/main",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "p14": "http://schemas.microsoft.com/office/powerpoint/2010/main"}


def sentence(i: int) -> str:
    """A notes sentence of slide ``i``, with the symbols a font without them would lose."""
    return f"Slide {i} says θ moves by α m̂ / (√v̂ + ε) with β₁ = 0.9 and ∇ × {i}."


def make_clip(path: Path, colour: tuple[int, int, int], sound: bool) -> None:
    """One second of grey ending on one frame of ``colour``; with one second of AAC if
    ``sound``."""
    import av

    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264" if path.suffix == ".mp4" else "libvpx-vp9", rate=FPS)
        video.width, video.height, video.pix_fmt = *SIZE, "yuv420p"
        audio = out.add_stream("aac", rate=22050, layout="mono") if sound else None
        for i in range(FPS):
            picture = np.full((SIZE[1], SIZE[0], 3), colour if i == FPS - 1 else 128, np.uint8)
            out.mux(video.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
        out.mux(video.encode(None))
        if audio is not None:
            for at in range(0, 22050, 1024):
                tone = np.sin(np.arange(at, at + 1024) / 10).astype(np.float32).reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(tone, format="fltp", layout="mono")
                frame.sample_rate, frame.pts, frame.time_base = 22050, at, Fraction(1, 22050)
                out.mux(audio.encode(frame))
            out.mux(audio.encode(None))


@pytest.fixture(scope="module")
def slides(tmp_path_factory) -> list[DeckSlide]:
    folder = tmp_path_factory.mktemp("clips")
    made = []
    for i, (colour, suffix) in enumerate(zip(COLOURS, (".mp4", ".webm", ".mp4"), strict=True)):
        clip = folder / f"clip{i}{suffix}"
        make_clip(clip, colour, sound=i == 0)
        made.append(DeckSlide(scene="race", title=TITLES[i], clip=clip,
                              notes=f"{sentence(i)}\n\nNumbers: ε = 10⁻⁸, β₂ = 0.999, step {i}.",
                              alt=f"Beat {i}: the hiker walks down the valley."))
    return made


@pytest.fixture(scope="module")
def pptx_file(slides, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("pptx") / "deck.pptx"
    write_pptx(slides, target, 1920, 1080, "Adam, step by step")
    return target


@pytest.fixture(scope="module")
def handout_file(slides, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("handout") / "handout.pdf"
    write_handout(slides, target, "Adam, step by step")
    return target


def need(program: str, package: str) -> None:
    if shutil.which(program) is None:
        pytest.skip(f"{program} is missing (Debian: apt-get install {package})")


def pdf_pages(pdf: Path) -> list[str]:
    """Each page's text, its white space made single spaces."""
    need("pdftotext", "poppler-utils")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def page_count(pdf: Path) -> int:
    need("pdfinfo", "poppler-utils")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def near(colour, expected, tolerance=30) -> bool:
    return all(abs(int(c) - e) <= tolerance for c, e in zip(colour, expected, strict=True))


def movie_of(slide):
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    (movie,) = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.MEDIA]
    return movie


def test_pptx_slides_are_titled_movies_with_alt_text_and_notes(slides, pptx_file):
    from pptx import Presentation
    from pptx.enum.shapes import PP_PLACEHOLDER

    prs = Presentation(str(pptx_file))
    assert prs.core_properties.title == "Adam, step by step"
    assert prs.slide_width * 9 == prs.slide_height * 16
    assert len(prs.slides) == len(slides)
    for slide, item in zip(prs.slides, slides, strict=True):
        title = slide.shapes.title
        assert title.placeholder_format.type == PP_PLACEHOLDER.TITLE
        assert title.text == item.title
        movie = movie_of(slide)
        assert len(slide.shapes) == 2  # no empty placeholder ("Click to add text")
        name = movie.element.find("p:nvPicPr/p:cNvPr", NS)
        assert (name.get("descr"), name.get("title")) == (item.alt, item.title)
        assert slide.notes_slide.notes_text_frame.text == item.notes
        # The movie below the title band, its shape kept, centred across the slide.
        assert movie.top >= title.top + title.height
        assert movie.top + movie.height <= prs.slide_height
        assert movie.width / movie.height == pytest.approx(SIZE[0] / SIZE[1], rel=1e-3)
        assert abs(movie.left - (prs.slide_width - movie.left - movie.width)) <= 1


def test_pptx_movies_start_from_the_main_sequence(slides, pptx_file):
    from lxml import etree
    from pptx import Presentation

    for slide in Presentation(str(pptx_file)).slides:
        spid = str(movie_of(slide).shape_id)
        # A plain lxml copy: python-pptx's own elements take no namespaces in xpath().
        (timing,) = etree.fromstring(etree.tostring(slide.element)).findall("p:timing", NS)
        ids = timing.xpath(".//p:cTn/@id", namespaces=NS)
        assert len(ids) == len(set(ids))
        (seq,) = timing.xpath(".//p:seq[p:cTn/@nodeType='mainSeq']", namespaces=NS)
        assert seq.xpath("p:prevCondLst/p:cond[@evt='onPrev']/p:tgtEl/p:sldTgt", namespaces=NS)
        assert seq.xpath("p:nextCondLst/p:cond[@evt='onNext']/p:tgtEl/p:sldTgt", namespaces=NS)
        main_id = seq.find("p:cTn", NS).get("id")
        assert seq.xpath(f".//p:cond[@evt='onBegin']/p:tn[@val='{main_id}']", namespaces=NS)
        (effect,) = seq.xpath(".//p:cTn[@presetClass='mediacall']", namespaces=NS)
        assert effect.get("nodeType") == "afterEffect"
        (cmd,) = effect.findall(".//p:cmd", NS)
        assert (cmd.get("type"), cmd.get("cmd")) == ("call", "playFrom(0.0)")
        assert cmd.find("p:cBhvr/p:tgtEl/p:spTgt", NS).get("spid") == spid
        assert abs(int(cmd.find("p:cBhvr/p:cTn", NS).get("dur")) - 1000) <= 100
        (media,) = timing.xpath(".//p:video/p:cMediaNode/p:tgtEl/p:spTgt/@spid", namespaces=NS)
        assert media == spid


def test_pptx_poster_is_the_last_frame_and_the_clip_is_embedded(slides, pptx_file):
    import io

    from PIL import Image
    from pptx import Presentation

    for slide, item, colour in zip(Presentation(str(pptx_file)).slides, slides, COLOURS,
                                   strict=True):
        movie = movie_of(slide)
        poster = Image.open(io.BytesIO(movie.poster_frame.blob)).convert("RGB")
        assert poster.size == SIZE
        assert near(poster.getpixel((SIZE[0] // 2, SIZE[1] // 2)), colour)
        media = movie.element.find("p:nvPicPr/p:nvPr/p:extLst/p:ext/p14:media", NS)
        embedded = slide.part.related_part(media.get(f"{{{NS['r']}}}embed")).blob
        assert embedded == item.clip.read_bytes()


def test_libreoffice_opens_the_pptx_with_its_titles_and_posters(slides, pptx_file, tmp_path):
    need("soffice", "libreoffice-impress")
    need("pdftoppm", "poppler-utils")
    profile = (tmp_path / "lo-profile").as_uri()  # its own, so parallel runs do not collide
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(pptx_file)],
                   capture_output=True, check=True, timeout=120)
    exported = tmp_path / "deck.pdf"
    assert page_count(exported) == len(slides)
    for page, item in zip(pdf_pages(exported), slides, strict=True):
        assert item.title in page
    # Each page shows its movie's poster (the last frame's colour) in the middle of the slide.
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(exported), str(tmp_path / "page")],
                   check=True)
    from PIL import Image

    for i, colour in enumerate(COLOURS):
        (png,) = tmp_path.glob(f"page-*{i + 1}.png")
        page = Image.open(png).convert("RGB")
        assert near(page.getpixel((page.width // 2, page.height // 2)), colour)


def test_handout_has_a_page_per_slide_with_its_title_and_notes_as_text(slides, handout_file):
    pages = pdf_pages(handout_file)
    assert page_count(handout_file) == len(pages) == len(slides)
    assert len(set(pages)) == len(pages)
    for i, (page, item) in enumerate(zip(pages, slides, strict=True)):
        assert page.startswith(item.title)
        assert sentence(i) in page
    assert b"/FontFile2" in handout_file.read_bytes()  # the font is embedded, not assumed


def test_handout_shrinks_the_picture_then_the_type_before_it_adds_a_page(slides, tmp_path):
    """Notes of half a page fit on one page (a smaller picture), notes of a page too (smaller
    type); notes of three pages go on to a further page, to their last word."""
    half = DeckSlide("race", "Half a page", slides[0].clip, f"{sentence(0)} " * 40, "a")
    full = DeckSlide("race", "A page", slides[0].clip, f"{sentence(0)} " * 80 + "Its end.",
                     "a")
    long = DeckSlide("race", "Three pages", slides[1].clip, f"{sentence(1)} " * 360 + "The end.",
                     "a")
    target = tmp_path / "handout.pdf"
    write_handout([half, full, long], target, "Long notes")
    pages = pdf_pages(target)
    assert page_count(target) == len(pages) >= 4
    assert pages[0].startswith("Half a page") and pages[0].count(sentence(0)) == 40
    assert pages[1].startswith("A page") and pages[1].endswith("Its end.")
    assert pages[2].startswith("Three pages")
    assert pages[-1].endswith("The end.")
    assert " ".join(pages[2:]).count(sentence(1)) == 360


@pytest.mark.parametrize("write", [
    lambda slides, target: write_pptx(slides, target, 1920, 1080, "t"),
    lambda slides, target: write_handout(slides, target, "t"),
], ids=["pptx", "handout"])
def test_a_missing_clip_leaves_no_file(write, slides, tmp_path):
    gone = DeckSlide("race", "Gone", tmp_path / "gone.mp4", "notes", "alt")
    with pytest.raises(OSError, match="gone.mp4"):
        write([*slides, gone], tmp_path / "deck.file")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("write", "saver"), [
    (lambda slides, target: write_pptx(slides, target, 1920, 1080, "t"),
     "pptx.presentation.Presentation.save"),
    (lambda slides, target: write_handout(slides, target, "t"), "fpdf.FPDF.output"),
], ids=["pptx", "handout"])
def test_a_full_disk_leaves_the_old_file_and_no_temporary(write, saver, slides, tmp_path,
                                                          monkeypatch):
    def half_written(self, path, *args, **kwargs):
        Path(path).write_bytes(b"half a file")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(saver, half_written)
    target = tmp_path / "deck.file"
    target.write_bytes(b"the deck of the last build")
    with pytest.raises(OSError, match="No space"):
        write(slides, target)
    assert list(tmp_path.iterdir()) == [target]
    assert target.read_bytes() == b"the deck of the last build"


def test_a_missing_font_says_which_package_has_it():
    with pytest.raises(OSError, match="fonts-dejavu-core"):
        font_file("NoSuchFont-Regular.ttf")
