"""The lecture deck as a lecturer meets it: rendered by `render.py slides`, opened offline in
headless Chromium (Space to advance, the speaker view, the one-file page), the .pptx read back
with python-pptx and the handout with pdftotext.

One slide per idea: each slide's title, notes and beats are checked against the .srt cues of
the same render (each beat writes one cue) and the scenes' declared ideas.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import srt

import render
from scenes.framework.internals import slides as deck

SCENES = ("race", "bias")
SIZE = ["--width", "256", "--height", "144", "--fps", "5"]
CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
PDFTOTEXT = shutil.which("pdftotext")
needs_chromium = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium/"
                                    "chromedriver missing (make setup installs them)")


@pytest.fixture(scope="module")
def deck_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("deck")
    assert render.main(["slides", *SCENES, *SIZE, "--out", str(out), "--quiet"]) == 0
    return out


def cues(out: Path) -> list[str]:
    """Every beat's caption, in deck order, from the scenes' .srt files."""
    texts = []
    for key in SCENES:
        (path,) = out.glob(f"{key}-*.srt")
        texts += [" ".join(c.content.split()) for c in srt.parse(path.read_text())]
    return texts


def ideas(out: Path) -> list[dict]:
    """Every slide of the deck as the scenes' presentation JSON records it (title, notes,
    alt, beats), in deck order."""
    found = []
    for key in SCENES:
        (folder,) = (out / ".cache" / "slides").glob(f"{key}-*")
        found += json.loads(next(folder.glob("*.json")).read_text())["slides"]
    return found


def test_pinned_manim_slides_is_the_one_the_deck_layer_was_written_for():
    # scenes/framework/internals/slides.py calls manim-slides' private _save_slides and skips
    # Slide.__init__: a different version may change either. Re-check it before moving the pin.
    assert importlib.metadata.version("manim-slides") == deck.MANIM_SLIDES_VERSION
    from manim_slides.slide.base import BaseSlide

    assert callable(BaseSlide._save_slides)
    # add_notes writes the notes of the slide being recorded, which BaseSlide keeps here.
    from manim_slides.config import BaseSlideConfig

    assert "_base_slide_config" in BaseSlide.__init__.__code__.co_names
    assert "notes" in BaseSlideConfig.model_fields


def test_deck_files_are_next_to_the_videos(deck_dir):
    names = {p.name for p in deck_dir.iterdir()}
    stem = "explainer-default-144p5-dark-nocaptions"  # a deck is captioned only on request
    assert {f"{stem}-deck.html", f"{stem}-deck.pptx", f"{stem}-handout.pdf",
            f"{stem}-deck_assets"} <= names
    assert not [n for n in names if n.startswith(".deck-")]  # no work folder left


def test_slides_are_ideas_titled_with_the_narration_and_numbers_as_notes(deck_dir):
    slides, captions = ideas(deck_dir), cues(deck_dir)
    assert 3 <= len(slides) < len(captions)  # fewer slides than beats: ideas
    spoken = [c for s in slides for c in (b["id"] for b in s["beats"])]
    assert len(spoken) == len(captions) == len(set(spoken))  # every beat on exactly one slide
    for slide in slides:
        assert slide["title"] and slide["alt"]
        own = [c for c in captions if c in slide["alt"]]
        assert len(slide["notes"]) > len(" ".join(own))  # more than its captions
        for caption in own:
            assert caption in slide["notes"]
    numbers = [s for s in slides if "The numbers behind it:" in s["notes"]]
    assert len(numbers) >= len(slides) - 1
    race_end = next(s for s in slides if s["title"] == "Where each racer ends")
    assert "final loss" in race_end["notes"] and "Gradient descent:" in race_end["notes"]
    # each slide holds exactly its own beats, in order, their captions first in its notes
    import render as cli

    args = cli.build_parser().parse_args(["facts", *SCENES, *SIZE])
    config = cli.load_config(args)
    from scenes.production.facts import build_facts

    beats = [b for k in SCENES for b in build_facts(k, config.scenes[k], "dark")["beats"]]
    assert [b["id"] for s in slides for b in s["beats"]] == [b["id"] for b in beats]
    for slide in slides:
        own = [next(b["caption"] for b in beats if b["id"] == mine["id"])
               for mine in slide["beats"]]
        assert slide["notes"].split("\n\n")[:len(own)] == own


def test_pptx_has_a_titled_movie_slide_per_idea_with_alt_text_and_notes(deck_dir):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    prs = Presentation(str(next(deck_dir.glob("*-deck.pptx"))))
    slides = ideas(deck_dir)
    assert len(prs.slides) == len(slides)
    from scenes.framework.palette import THEMES

    for page, idea in zip(prs.slides, slides, strict=True):
        assert page.shapes.title.text == idea["title"]
        # the theme's background, so the dark clips do not sit on white bars
        assert f"#{page.background.fill.fore_color.rgb}" == THEMES["dark"].background.upper()
        [movie] = [s for s in page.shapes if s.shape_type == MSO_SHAPE_TYPE.MEDIA]
        assert movie._element.xpath("./p:nvPicPr/p:cNvPr/@descr") == [idea["alt"]]
        assert page.notes_slide.notes_text_frame.text == idea["notes"]


@pytest.mark.skipif(not PDFTOTEXT, reason="pdftotext missing (Debian's poppler-utils; make "
                    "test installs it)")
def test_handout_has_one_page_per_idea_with_its_title_and_notes_as_text(deck_dir):
    handout = next(deck_dir.glob("*-handout.pdf"))
    text = subprocess.run([PDFTOTEXT, "-layout", str(handout), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    slides = ideas(deck_dir)
    assert len(pages) == len(slides)
    assert len(set(pages)) == len(pages)  # no duplicate page
    for page, idea in zip(pages, slides, strict=True):
        assert idea["title"] in page
        assert idea["beats"] and "The clip plays" in page


def open_deck(html: Path, *, offline: bool = True, load: str = "normal"):
    """Headless Chromium on ``html`` with the network cut off; returns the driver. ``load``
    is the page load strategy ("none": commands do not wait for a page to finish loading)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--autoplay-policy=no-user-gesture-required", "--mute-audio"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    options.page_load_strategy = load
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    if offline:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    driver.get(html.resolve().as_uri())
    wait_for(driver, "return window.Reveal && Reveal.isReady()")
    return driver


def plays_then_space_advances(driver, total: int) -> None:
    """The first clip plays (muted: no 'Unmute' button), then Space moves to slide 2."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    assert driver.execute_script("return Reveal.getTotalSlides()") == total
    wait_for(driver, "const v = document.querySelector('.slide-background.present video');"
                     "return v !== null && v.currentTime > 0 && v.muted")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.SPACE)
    wait_for(driver, "return Reveal.getIndices().h === 1")
    wait_for(driver, "const v = document.querySelector('.slide-background.present video');"
                     "return v !== null && v.currentTime > 0")
    assert not driver.execute_script("return document.querySelector('.r-media-play-button')")


def nothing_left_the_machine(driver) -> None:
    urls = [entry["message"] for entry in driver.get_log("performance")
            if '"Network.requestWillBeSent"' in entry["message"]]
    assert urls, "the performance log recorded no request"
    remote = [u for u in urls if '"url":"http' in u]
    assert not remote, remote[:3]
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors[:3]


@needs_chromium
def test_html_deck_plays_and_space_advances_offline_in_chromium(deck_dir):
    driver = open_deck(next(deck_dir.glob("*-deck.html")))
    try:
        plays_then_space_advances(driver, len(ideas(deck_dir)))
        nothing_left_the_machine(driver)
    finally:
        driver.quit()


@needs_chromium
def test_the_speaker_view_opens_with_the_notes_and_the_next_slide(deck_dir):
    # The speaker window is written by script and never finishes loading in headless Chromium:
    # commands must not wait for page loads, and it is opened after this call returns.
    driver = open_deck(next(deck_dir.glob("*-deck.html")), load="none")
    try:
        main = driver.current_window_handle
        driver.execute_script("setTimeout(() => Reveal.getPlugin('notes').open(), 0)")
        end = time.monotonic() + 60
        while len(driver.window_handles) < 2 and time.monotonic() < end:
            time.sleep(0.1)
        [speaker] = [h for h in driver.window_handles if h != main]
        driver.switch_to.window(speaker)
        first = ideas(deck_dir)[0]
        title = json.dumps(first["title"])
        wait_for(driver, "const n = document.querySelector('.speaker-controls-notes .value');"
                         f"return n !== null && n.textContent.includes({title})")
        notes = driver.execute_script(
            "return document.querySelector('.speaker-controls-notes .value').textContent")
        assert first["beats"] and "The numbers behind it" in notes
        assert driver.execute_script("return document.querySelector('#upcoming-slide iframe') "
                                     "!== null")
    finally:
        driver.quit()


@needs_chromium
def test_a_one_file_deck_plays_offline_with_nothing_beside_it(deck_dir, tmp_path):
    assert render.main(["slides", *SCENES, *SIZE, "--out", str(deck_dir), "--one-file",
                        "--quiet"]) == 0
    [html] = deck_dir.glob("*-deck.html")
    alone = tmp_path / "course-site" / "deck.html"  # moved on its own: nothing else needed
    alone.parent.mkdir()
    shutil.copyfile(html, alone)
    driver = open_deck(alone)
    try:
        plays_then_space_advances(driver, len(ideas(deck_dir)))
        nothing_left_the_machine(driver)
    finally:
        driver.quit()


def wait_for(driver, script: str, timeout: float = 60.0) -> None:
    """Poll ``script`` until it is true; a generous limit, as the machines are shared."""
    end = time.monotonic() + timeout
    while not driver.execute_script(script):
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for: {script}")
        time.sleep(0.1)


def test_manim_slides_own_command_line_renders_and_converts_a_scene(tmp_path):
    """As manim-slides documents it: `manim-slides render FILE SCENE` writes ./slides, then
    `manim-slides convert SCENE deck.pptx` reads it. FILE is a lecturer's own scene file."""
    import json
    import subprocess
    import sys

    (tmp_path / "mine.py").write_text(
        "from scenes.race import RosenbrockRace\n\n\n"
        "class ShortRace(RosenbrockRace.with_params(steps=40, race_time=2)):\n"
        "    pass\n")
    tool = Path(sys.executable).with_name("manim-slides")
    rendered = subprocess.run([tool, "render", "-ql", "--fps", "5", "-r", "192,108", "mine.py",
                               "ShortRace"], cwd=tmp_path, capture_output=True, text=True)
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    slides = json.loads((tmp_path / "slides" / "ShortRace.json").read_text())["slides"]
    assert len(slides) == 2 and all(s["notes"] for s in slides)  # one per idea, its captions
    assert all((tmp_path / s["file"]).is_file() for s in slides)
    converted = subprocess.run([tool, "convert", "ShortRace", "deck.pptx"], cwd=tmp_path,
                               capture_output=True, text=True)
    assert converted.returncode == 0, converted.stderr[-2000:]
    from pptx import Presentation

    assert len(Presentation(str(tmp_path / "deck.pptx")).slides) == len(slides)


@pytest.mark.skipif(not PDFTOTEXT, reason="pdftotext missing (Debian's poppler-utils; make "
                    "test installs it)")
def test_the_whole_explainer_is_a_deck_of_20_to_35_ideas_with_a_handout_page_each(all_scenes,
                                                                                   tmp_path):
    """Every scene's slides, in explainer order, from the shared render of every scene: the
    number of ideas a lecture takes, and one handout page per idea (the longest notes too)."""
    from scenes import SCENE_CLASSES
    from scenes.production.deck import deck_slides
    from scenes.production.handout import write_handout

    folders = [next((all_scenes / ".cache" / "slides").glob(f"{key}-*")) for key in SCENE_CLASSES]
    slides = deck_slides(folders)
    assert 20 <= len(slides) <= 35
    assert len({s.title for s in slides}) == len(slides)  # no two ideas share a title
    handout = tmp_path / "handout.pdf"
    write_handout(slides, handout, "Adam, animated")
    text = subprocess.run([PDFTOTEXT, "-layout", str(handout), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) == len(slides) == len(set(pages))
    for page, slide in zip(pages, slides, strict=True):
        assert page.strip().startswith(slide.title)
