"""The example notebook (assets/examples/jupyter.ipynb) runs top to bottom in a real kernel,
with Manim's `%manim` magic and `with_params`, and shows a video and a still."""

import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "assets" / "examples" / "jupyter.ipynb"


def test_the_example_notebook_runs(tmp_path):
    shutil.copy(NOTEBOOK, tmp_path)
    nb = nbformat.read(tmp_path / NOTEBOOK.name, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = [o for o in outputs if o.output_type == "display_data"]
    assert any("text/html" in o.data and "<video" in o.data["text/html"] for o in shown)
    assert any("image/png" in o.data for o in shown)
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "steps: 0 is out of range" in printed
    assert list((tmp_path / "media" / "videos").rglob("RosenbrockRace.mp4"))
