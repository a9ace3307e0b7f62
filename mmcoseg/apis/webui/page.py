"""The Gradio page of the web demo."""
import os
from typing import Any, Dict, List, Optional

from .predictor import WebDemoPredictor
from .result import WebDemoResult

INTRO = """# mmcoseg: co-segment a group of photos
Upload two or more photos that show objects of one category (or pick an
example group), then press **Co-segment**: the model segments the object the
photos share, and nothing else. Groups are consecutive runs of at most
*group size* images, in upload order."""
#: Style for ``launch(css=...)``: group grids keep their aspect ratio.
PAGE_CSS = """
#grids .grid-container { grid-template-rows: none; grid-auto-rows: auto; }
#grids .thumbnail-item { aspect-ratio: auto; height: auto; }
#grids .thumbnail-item img { height: auto; }
"""


def build_webui(predictor: WebDemoPredictor,
                example_groups: Optional[Dict[str, List[str]]] = None,
                title: str = 'mmcoseg co-segmentation') -> Any:
    """Build the page (imports Gradio, with its analytics off).

    Args:
        predictor (WebDemoPredictor): Runs the requests.
        example_groups (dict[str, list[str]], optional): Example groups
            offered in a drop-down, name to image files (see
            :func:`list_example_groups`).
        title (str): The browser tab's title.

    Returns:
        gradio.Blocks: The page with its queue set up: one request runs at
        a time, the others wait in the queue. Launch it with
        ``launch(server_name='127.0.0.1', css=PAGE_CSS,
        allowed_paths=[...])``; the
        example files and ``predictor.work_dir`` must be allowed paths.
    """
    # Gradio reads this when it is imported; Blocks gets it explicitly too.
    os.environ['GRADIO_ANALYTICS_ENABLED'] = 'False'
    try:
        import gradio as gr
    except ImportError as exc:
        raise ImportError(
            'the web demo needs Gradio: pip install -r requirements/demo.txt '
            '(or mmcoseg[demo])') from exc

    example_groups = dict(example_groups or {})

    def run(files, group_size, threshold):
        result: WebDemoResult = predictor.predict(files, int(group_size),
                                                  float(threshold))
        return (result.status_markdown(), result.overlays, result.grids,
                result.rows, result.zip_path)

    def pick_example(name):
        return example_groups.get(name)

    with gr.Blocks(title=title, analytics_enabled=False,
                   delete_cache=(3600, 3600)) as page:
        gr.Markdown(INTRO)
        if predictor.load_error:
            gr.Markdown(f'**Error:** {predictor.load_error}',
                        elem_id='load-error')
        with gr.Row():
            with gr.Column(scale=1):
                files = gr.File(label='Images (two or more)',
                                file_count='multiple', file_types=['image'],
                                elem_id='images')
                example = gr.Dropdown(
                    choices=list(example_groups), value=None,
                    label='... or an example group', elem_id='example',
                    visible=bool(example_groups))
                group_size = gr.Slider(2, 12, value=5, step=1,
                                       label='Group size',
                                       elem_id='group-size')
                threshold = gr.Slider(
                    0.05, 0.95, value=predictor.default_threshold,
                    step=0.05, label='Foreground threshold',
                    elem_id='threshold')
                button = gr.Button('Co-segment', variant='primary',
                                   elem_id='run')
            with gr.Column(scale=2):
                status = gr.Markdown(elem_id='status')
                overlays = gr.Gallery(label='Overlays', columns=4,
                                      height=340, object_fit='contain',
                                      format='jpeg', elem_id='overlays')
                grids = gr.Gallery(label='Groups: inputs, overlays',
                                   columns=1, height='auto',
                                   object_fit='contain', format='jpeg',
                                   elem_id='grids')
                table = gr.Dataframe(headers=list(WebDemoResult.HEADERS),
                                     interactive=False, elem_id='table')
                download = gr.File(label='Masks, overlays and groups (zip)',
                                   elem_id='download')
        example.change(pick_example, example, files)
        button.click(run, [files, group_size, threshold],
                     [status, overlays, grids, table, download])
    page.queue(default_concurrency_limit=1, max_size=64)
    return page
