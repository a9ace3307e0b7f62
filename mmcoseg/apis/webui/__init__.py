"""The web demo of ``tools/webui.py``: predict logic and the Gradio page.

Importing this package does not import Gradio (an optional extra,
``requirements/demo.txt``); only :func:`build_webui` does.
"""
from .example_groups import list_example_groups
from .page import PAGE_CSS, build_webui
from .predictor import WebDemoPredictor
from .result import WebDemoResult
from .uploads import read_upload

__all__ = [
    'PAGE_CSS', 'WebDemoPredictor', 'WebDemoResult', 'build_webui',
    'list_example_groups', 'read_upload'
]
