"""Write the real-photo example groups of the web demo from COCO 2017.

Each group shares one PASCAL-VOC category, and some of its photos also
hold a salient object of another category (riders on the motorbikes,
vehicles next to the people): a co-segmentation model keeps the shared
object and leaves the other one out. The same photo (a rider on a
motorbike) sits in both groups, so the group alone decides what is cut out.

Only photos whose Flickr licence allows redistribution are used (COCO
licence ids 4 CC BY 2.0, 5 CC BY-SA 2.0, 7 no known copyright
restrictions); each is copied unchanged and listed with its author's URL
and licence in ``ATTRIBUTION.txt`` beside it. Example::

    python tools/misc/make_photo_examples.py ../shared/data/coco128 \\
        demo/examples
"""
import argparse
import json
import os
import os.path as osp
import shutil
from typing import Dict, List, Sequence

#: COCO licence ids whose images may be redistributed with attribution.
REDISTRIBUTABLE = (4, 5, 7)
#: group folder -> (what it shares, COCO train2017 file names)
GROUPS: Dict[str, tuple] = {
    'photos_motorbike': ('motorbike (the riders are not shared)', (
        '000000000073.jpg', '000000000529.jpg', '000000000629.jpg',
        '000000000086.jpg')),
    'photos_person': ('person (the motorbike and the aeroplane are not '
                      'shared)', (
                          '000000000459.jpg', '000000000165.jpg',
                          '000000000389.jpg', '000000000529.jpg',
                          '000000000542.jpg')),
}


def write_groups(coco_root: str, out_dir: str,
                 groups: Dict[str, tuple] = GROUPS) -> List[str]:
    """Copy the photos of every group and write their attribution.

    Args:
        coco_root (str): Folder with ``train2017/`` and
            ``annotations/instances_train2017.json``.
        out_dir (str): Folder of group folders (e.g. ``demo/examples``).
        groups (dict): Group folder -> (description, file names).

    Returns:
        list[str]: The image files written.

    Raises:
        ValueError: A photo is not in the annotations or its licence does
            not allow redistribution.
    """
    ann = osp.join(coco_root, 'annotations', 'instances_train2017.json')
    with open(ann) as f:
        coco = json.load(f)
    licences = {lic['id']: lic for lic in coco['licenses']}
    images = {img['file_name']: img for img in coco['images']}
    written = []
    for folder, (shares, names) in groups.items():
        lines = [f'Example group: {shares}.',
                 'Photos from COCO 2017 train (cocodataset.org), copied '
                 'unchanged; each under its own licence:', '']
        os.makedirs(osp.join(out_dir, folder), exist_ok=True)
        for name in names:
            info = images.get(name)
            if info is None:
                raise ValueError(f'{name} is not in {ann}')
            if info['license'] not in REDISTRIBUTABLE:
                raise ValueError(
                    f'{name}: licence id {info["license"]} does not allow '
                    f'redistribution (allowed: {REDISTRIBUTABLE})')
            lic = licences[info['license']]
            dst = osp.join(out_dir, folder, name)
            shutil.copyfile(osp.join(coco_root, 'train2017', name), dst)
            written.append(dst)
            lines.append(f'{name}: {info["flickr_url"]} - {lic["name"]} '
                         f'({lic["url"]}), COCO image id {info["id"]}')
        with open(osp.join(out_dir, folder, 'ATTRIBUTION.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    return written


def main(argv: Sequence[str] = None) -> None:
    """Write the groups and print a one-line summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('coco_root', help='COCO 2017 (train2017/, '
                        'annotations/instances_train2017.json)')
    parser.add_argument('out_dir', nargs='?', default='demo/examples',
                        help='output folder (default: %(default)s)')
    args = parser.parse_args(argv)
    written = write_groups(args.coco_root, args.out_dir)
    print(f'photo examples: {len(written)} images in {len(GROUPS)} groups '
          f'under {args.out_dir}')


if __name__ == '__main__':
    main()
