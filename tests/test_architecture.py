"""The layers import one way: ``optim_core <- scenes.framework <- scenes <- scenes.production
<- render``. Every import counts, at the top of a module or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("optim_core", "scenes.framework", "scenes", "scenes.production", "render")


def layer(module: str) -> int | None:
    """The layer a module belongs to (the most specific prefix), or None for a library."""
    matches = [i for i, name in enumerate(LAYERS)
               if module == name or module.startswith(name + ".")]
    return max(matches, key=lambda i: len(LAYERS[i])) if matches else None


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


SOURCES = [ROOT / "render.py", *sorted((ROOT / "optim_core").rglob("*.py")),
           *sorted((ROOT / "scenes").rglob("*.py"))]


def backward(module: str, names: set[str]) -> list[str]:
    """The imports of ``module`` that reach a later layer."""
    own = layer(module)
    return sorted(n for n in names if (other := layer(n)) is not None and other > own)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_one_way(path):
    back = backward(module_name(path), imported(path))
    assert back == [], f"{module_name(path)} imports from a later layer: {back}"


def test_the_core_never_imports_manim():
    for path in (ROOT / "optim_core").rglob("*.py"):
        assert not any(n == "manim" or n.startswith("manim.") for n in imported(path)), path


def test_private_api_is_used_in_one_place_only():
    """Only scenes/framework/internals reaches into manim-slides' Slide and Manim's encoders."""
    private = ("manim_slides.slide", "manim.scene.video_segment_encoder",
               "manim.scene.scene_file_writer", "manim.renderer.cairo_renderer")
    for path in SOURCES:
        if "internals" in path.parts:
            continue
        used = [n for n in imported(path) if n.startswith(private)]
        assert used == [], f"{path.relative_to(ROOT)} uses private API: {used}"


def test_every_text_is_laid_out_on_the_one_canvas():
    """Texts are made by internals/texts.py only (``laid_out``), on one canvas whatever the
    render's size: the renders of every size share one text cache on that promise
    (scenes/production/jobs.py: shared_cache). A Pango text made elsewhere would be laid out
    on a page the render's size, and a small render's wrapped drawing reused at 1080p."""
    for path in SOURCES:
        if path.name == "texts.py" and "internals" in path.parts:
            continue
        made = sorted(made_texts(path.read_text()))
        assert made == [], f"{path.relative_to(ROOT)} makes texts itself: {made}"


def made_texts(source: str) -> set[str]:
    """Manim's Pango texts a source calls (by name or as an attribute, ``manim.Text``)."""
    pango = {"Text", "MarkupText", "Paragraph", "Code"}
    calls = (node.func for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call))
    return {name for func in calls
            if (name := getattr(func, "id", None) or getattr(func, "attr", None)) in pango}


def test_the_check_sees_a_text_made_elsewhere():
    assert made_texts("import manim\nmanim.Text('a')\nf(Paragraph('b'))") == {"Text",
                                                                              "Paragraph"}
    assert made_texts("def f(t: Text) -> Text:\n    return laid_out('a')") == set()


def test_the_check_sees_a_backward_import(tmp_path):
    """The test above can fail: what base.py once did (the framework importing the narration)
    is caught, a lazy import inside a function too."""
    module = tmp_path / "m.py"
    module.write_text("import numpy\ndef f():\n    from scenes.production.narration import Clip\n")
    assert backward("scenes.framework.scene", imported(module)) == [
        "scenes.production.narration", "scenes.production.narration.Clip"]
    assert backward("scenes.production.jobs", {"scenes", "scenes.race", "render"}) == ["render"]
    assert backward("optim_core.run", {"scenes.framework.style", "numpy"}) == [
        "scenes.framework.style"]


# What the command line needs before it renders is read without Manim (a second to import):
# the scenes' catalog, their parameters, the palette, the output tables.
WITHOUT_MANIM = """
import sys
import render
for argv in (["list"], ["params", "race"], ["params", "render"], ["schema"]):
    assert render.main(argv) == 0, argv
assert "manim" not in sys.modules and "manim_slides" not in sys.modules, sorted(
    m for m in sys.modules if m.startswith("manim"))
"""


def test_listing_and_checking_never_load_manim():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", WITHOUT_MANIM], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_each_catalog_entry_is_its_scene():
    """The catalog names each scene's module and class; the class takes its key, title,
    description and parameters from its entry (declared once)."""
    from scenes.catalog import CATALOG

    for key, entry in CATALOG.items():
        cls = entry.load()
        assert cls.__name__ == entry.name and cls.__module__ == f"scenes.{key}"
        assert (cls.key, cls.title, cls.description, cls.Params) == (
            key, entry.title, entry.description, entry.Params)


def test_the_quality_letters_are_manims():
    """The quality letters and their help line are written out (no Manim to list them); they
    must be Manim's own, smallest first, and each render reads its size from Manim's table."""
    from manim.constants import QUALITIES

    from scenes.production.outputs import QUALITY_DOC, QUALITY_FLAGS, quality

    manims = sorted((q for q in QUALITIES.values() if q["flag"]),
                    key=lambda q: q["pixel_height"])
    assert tuple(q["flag"] for q in manims) == QUALITY_FLAGS
    assert ", ".join(
        f"{q['flag']} {q['pixel_height']}p{q['frame_rate']}" for q in manims) == QUALITY_DOC
    assert quality("l") == (854, 480, 15)
