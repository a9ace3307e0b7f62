"""Co-segment a folder (or list) of images with a trained model.

Example::

    python tools/cosegment.py CONFIG CHECKPOINT photos/ --out-dir out \
        --group-size 5

Writes ``out/masks/<stem>.png`` (0/255, the input's size),
``out/overlays/<stem>.jpg`` and ``out/groups/group_<k>.jpg`` (inputs on
top, overlays below), then prints a summary line. With ``--save-prob``,
also ``out/probs/<stem>.png``: the foreground probability as an 8-bit
0-255 map at the input's size, the prediction format co-salient object
detection evaluation tools read.

Exit status: 0 when every image was processed; 3 when some image files
were skipped (unreadable, or a file named on the command line without an
image suffix; each is named on stderr, the others are still processed); 2
on usage errors, e.g. fewer than two readable images. The other files of a
given folder (a README, an ATTRIBUTION.txt) are ignored and listed on
stderr; they do not change the exit status.
"""
import argparse
import os
import os.path as osp
import sys
import time

from mmengine.config import DictAction
from mmengine.utils import ProgressBar

from mmcoseg.apis import CoSegInferencer, load_image
from mmcoseg.apis.coseg_inferencer import list_images, unique_names

EXIT_SKIPPED = 3
EXIT_USAGE = 2


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog='Exit status: 0 all processed, 3 some image files skipped, '
        '2 usage error.')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        'images', nargs='+',
        help='image files and/or folders (their images, non-recursive)')
    parser.add_argument('--out-dir', required=True, help='output folder')
    parser.add_argument(
        '--group-size', type=int, default=None,
        help='largest group size (default: all images in one group)')
    parser.add_argument('--device', default='cpu', help='cpu or cuda')
    parser.add_argument(
        '--threshold', type=float, default=None,
        help="foreground probability threshold (default: the model's)")
    parser.add_argument(
        '--save-prob', action='store_true',
        help='also write OUT_DIR/probs/<stem>.png, the foreground '
        'probability as a 0-255 map (round(255 * p)), for CoSOD '
        'evaluation tools')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, as in tools/test.py (e.g. '
        'model.modulators.0.keep_ratio=0 switches a CategorySelector\'s '
        'selection off)')
    return parser.parse_args()


def collect(paths) -> tuple:
    """Files of the arguments and the folder entries that are no images.

    Folders expand to their sorted image files (by suffix, non-recursive);
    their other files are returned separately so they can be reported.
    """
    files, others = [], []
    for path in paths:
        if osp.isdir(path):
            images = list_images(path)
            files += images
            others += sorted(
                p for p in (osp.join(path, f) for f in os.listdir(path))
                if osp.isfile(p) and p not in images)
        else:
            files.append(path)
    return files, others


def main() -> int:
    args = parse_args()
    if args.group_size is not None and args.group_size < 2:
        print(f'error: --group-size must be at least 2, got '
              f'{args.group_size}', file=sys.stderr)
        return EXIT_USAGE
    start = time.perf_counter()
    images, names, skipped = [], [], []
    paths, others = collect(args.images)
    for path in others:
        print(f'ignored {path}: not an image file (suffix)', file=sys.stderr)
    for path in paths:
        try:
            images.append(load_image(path))
            names.append(osp.splitext(osp.basename(path))[0])
        except ValueError as exc:
            skipped.append(path)
            print(f'skipped {path}: {exc}', file=sys.stderr)
    if len(images) < 2:
        print(f'error: co-segmentation needs at least two readable images, '
              f'got {len(images)} (skipped {len(skipped)})',
              file=sys.stderr)
        return EXIT_USAGE
    inferencer = CoSegInferencer(
        args.config, args.checkpoint, device=args.device,
        group_size=args.group_size, threshold=args.threshold,
        cfg_options=args.cfg_options)
    bar = ProgressBar(len(images))
    out = inferencer(images, out_dir=args.out_dir, return_vis=True,
                     names=unique_names(names),
                     progress=lambda k: bar.update(k),
                     save_prob=args.save_prob)
    elapsed = time.perf_counter() - start
    print()
    num_groups = len(out['visualization'])
    print(f'cosegment: {len(images)} images, {num_groups} groups, '
          f'{len(skipped)} skipped, {len(others)} ignored, '
          f'{elapsed / len(images):.3f} s/image -> {args.out_dir}')
    return EXIT_SKIPPED if skipped else 0


if __name__ == '__main__':
    sys.exit(main())
