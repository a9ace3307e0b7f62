"""The seen protocol's open-set groups (``open_set_dataset``, for choosing
the open-set gate): built from coco128 by the COCO-SEG builder as the config
says, they are every COCO category outside PASCAL's 20 that the builder
keeps, and GroupDataset reads them as configured."""
import os
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmcoseg  # noqa: F401
from mmcoseg.registry import DATASETS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
COCO128 = osp.join(REPO_ROOT, '..', 'shared', 'data', 'coco128')
BASE = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                'pascal_voc_coseg_seen.py')
# PASCAL-VOC's 20 classes by their COCO names (folder names: spaces as _)
PASCAL_IN_COCO = {
    'airplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat',
    'chair', 'cow', 'dining_table', 'dog', 'horse', 'motorcycle', 'person',
    'potted_plant', 'sheep', 'couch', 'train', 'tv'
}


@pytest.mark.skipif(not osp.isdir(COCO128),
                    reason='COCO128 (../shared/data/coco128) is absent')
def test_open_set_groups_are_the_non_pascal_categories(tmp_path,
                                                       run_script):
    out = tmp_path / 'coco128_seg'
    proc = run_script(
        osp.join(REPO_ROOT, 'tools', 'dataset_converters', 'coco_seg.py'),
        osp.join(COCO128, 'annotations', 'instances_train2017.json'),
        osp.join(COCO128, 'train2017'), str(out), '--min-images', '3',
        cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    built = set(os.listdir(out / 'images'))
    dataset = Config.fromfile(BASE).open_set_dataset
    classes = dataset['metainfo']['classes']
    assert classes == sorted(built - PASCAL_IN_COCO)
    assert len(classes) == 16 and not set(classes) & PASCAL_IN_COCO
    # the classes the builder kept beside them are PASCAL's
    assert built - set(classes) <= PASCAL_IN_COCO

    init_default_scope('mmcoseg')
    cfg = Config.fromfile(BASE).test_dataloader.dataset
    cfg.update(dataset, data_root=str(out))
    groups = DATASETS.build(cfg)
    assert groups.metainfo['classes'] == tuple(classes)
    images = {info['img_path'] for i in range(len(groups))
              for info in groups.get_data_info(i)['images']}
    assert len(images) == sum(
        len(os.listdir(out / 'images' / c)) for c in classes) == 61
