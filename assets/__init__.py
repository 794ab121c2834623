"""Art, presets and the example notebook: package data of the installed program (read with
``importlib.resources``; installed as ``adam_animated_assets``)."""
