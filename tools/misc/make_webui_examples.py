"""Write the example groups of the web demo (synthetic, no downloads).

Example::

    python tools/misc/make_webui_examples.py demo/examples

Each group is a folder of images of one synthetic category drawn by
:func:`mmcoseg.datasets.synthetic_coseg.generate_sample` (the category's
object plus distractors of other categories), deterministic in its seed.
"""
import argparse
import os
import os.path as osp

from PIL import Image

from mmcoseg.datasets.synthetic_coseg import generate_sample, sample_name


def write_examples(out_dir: str,
                   categories=('cross', 'star', 'ring'),
                   num_images: int = 4,
                   image_size=(160, 224),
                   split: str = 'webui',
                   seed: int = 0,
                   quality: int = 90) -> list:
    """Write ``out_dir/<category>/<category>_<NNNN>.jpg`` per group.

    Args:
        out_dir (str): Output folder.
        categories (Sequence[str]): One group per category.
        num_images (int): Images per group.
        image_size (tuple[int, int]): ``(min, max)`` height and width.
        split (str): Split name that seeds the samples.
        seed (int): Seed.
        quality (int): JPEG quality.

    Returns:
        list[str]: The written files.
    """
    written = []
    for category in categories:
        folder = osp.join(out_dir, category)
        os.makedirs(folder, exist_ok=True)
        for i in range(num_images):
            image, _, _ = generate_sample(split, category, i,
                                          image_size=image_size, seed=seed)
            path = osp.join(folder, sample_name(category, i) + '.jpg')
            Image.fromarray(image, 'RGB').save(path, quality=quality)
            written.append(path)
    return written


def main() -> None:
    """Write the example groups and print a one-line summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir', nargs='?', default='demo/examples',
                        help='output folder (default: %(default)s)')
    args = parser.parse_args()
    written = write_examples(args.out_dir)
    print(f'webui examples: {len(written)} images in {args.out_dir}')


if __name__ == '__main__':
    main()
