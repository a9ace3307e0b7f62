"""Web demo: co-segment your own photos in the browser (Gradio).

Example::

    python tools/webui.py CONFIG CHECKPOINT [--host 127.0.0.1] \
        [--port 7860] [--device cpu]

Needs the demo extra (``pip install -r requirements/demo.txt``, or
``pip install mmcoseg[demo]``; ``tools/setup_env.sh`` installs it). The
model is loaded once; if it cannot be loaded (e.g. a checkpoint of another
config), the page still opens and says why. Gradio's analytics are off and
the server listens on 127.0.0.1 unless ``--host`` says otherwise.
"""
import argparse
import os.path as osp
import sys

from mmcoseg.apis.webui import (
    PAGE_CSS,
    WebDemoPredictor,
    build_webui,
    list_example_groups,
)

LOOPBACK = ('127.0.0.1', 'localhost', '::1')
EXAMPLES = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                    'demo', 'examples')


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--host', default='127.0.0.1',
                        help='address to listen on (default: %(default)s)')
    parser.add_argument('--port', type=int, default=7860,
                        help='port (default: %(default)s)')
    parser.add_argument('--device', default='cpu', help='cpu or cuda')
    parser.add_argument('--examples', default=EXAMPLES,
                        help='folder of example groups, one sub-folder each '
                        '(default: demo/examples)')
    return parser.parse_args()


def main() -> None:
    """Load the model, build the page and serve it until interrupted."""
    args = parse_args()
    predictor = WebDemoPredictor(args.config, args.checkpoint,
                                 device=args.device)
    if predictor.load_error:
        print(f'webui: error: {predictor.load_error} (the page says so too)',
              file=sys.stderr)
    else:
        print(f'webui: model loaded from {args.checkpoint} on {args.device}')
    if args.host not in LOOPBACK:
        print(f'webui: warning: listening on {args.host}: the page is '
              'reachable from the network, without authentication',
              file=sys.stderr)
    groups = list_example_groups(args.examples)
    page = build_webui(predictor, groups)
    page.launch(server_name=args.host, server_port=args.port, share=False,
                ssr_mode=False, allowed_paths=[args.examples,
                                               predictor.work_dir],
                max_file_size='100mb', show_error=True, css=PAGE_CSS)


if __name__ == '__main__':
    main()
