"""Generate the synthetic co-segmentation dataset (no downloads).

Example::

    python tools/misc/make_synthetic_coseg.py data/synthetic_coseg
"""
import argparse
import time

from mmcoseg.datasets.synthetic_coseg import make_synthetic_coseg


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Generate the deterministic synthetic co-segmentation '
        'dataset of mmcoseg.')
    parser.add_argument(
        'out_dir',
        nargs='?',
        default='data/synthetic_coseg',
        help='output folder (default: %(default)s)')
    parser.add_argument(
        '--num-train',
        type=int,
        default=48,
        help='training images per category (default: %(default)s)')
    parser.add_argument(
        '--num-test',
        type=int,
        default=16,
        help='test images per category (default: %(default)s)')
    parser.add_argument(
        '--image-size',
        type=int,
        nargs=2,
        default=(128, 192),
        metavar=('MIN', 'MAX'),
        help='range of the image height and width (default: 128 192)')
    parser.add_argument(
        '--seed', type=int, default=0, help='seed (default: %(default)s)')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='regenerate even if a dataset is already there')
    return parser.parse_args()


def main() -> None:
    """Generate the dataset and print a one-line summary."""
    args = parse_args()
    start = time.perf_counter()
    try:
        summary = make_synthetic_coseg(
            args.out_dir,
            num_train=args.num_train,
            num_test=args.num_test,
            image_size=tuple(args.image_size),
            seed=args.seed,
            overwrite=args.overwrite)
    except ValueError as e:
        raise SystemExit(f'error: {e}')
    action = ('reused existing' if summary['reused'] else
              f'generated in {time.perf_counter() - start:.1f}s')
    counts = summary['counts']
    print(f"synthetic_coseg: {len(summary['categories'])} categories, "
          f"{counts['train']} train / {counts['test']} test images in "
          f"{summary['out_dir']} ({action})")


if __name__ == '__main__':
    main()
