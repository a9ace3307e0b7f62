"""The configs of docs/extending.md work as written (backbone, dataset)."""
import os.path as osp
import re

import numpy as np
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

import mmcoseg  # noqa: F401
from mmcoseg.apis import cosegment, init_model
from mmcoseg.registry import DATASETS

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DOC = osp.join(REPO_ROOT, 'docs', 'extending.md')


def _python_blocks(section: str):
    text = open(DOC).read()
    body = text.split(f'## {section}\n', 1)[1].split('\n## ', 1)[0]
    return re.findall(r'```python\n(.*?)```', body, re.S)


def test_add_a_backbone(tmp_path):
    block, = _python_blocks('Add a backbone')
    block = block.replace("checkpoint='/path/to/resnet18.pth'",
                          'checkpoint=None')
    config = tmp_path / 'my_backbone.py'
    config.write_text(block)
    model = init_model(str(config))
    assert type(model.backbone).__name__ == 'ResNetV1c'
    assert model.backbone.stem[0].in_channels == 3
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 255, (64, 80, 3), dtype=np.uint8)
              for _ in range(3)]
    out = cosegment(model, images)
    assert len(out) == 3
    assert out[0]['mask'].shape == (64, 80)


def test_add_a_dataset(tmp_path):
    root = tmp_path / 'my_coseg'
    for category in ('cat_a', 'cat_b'):
        for folder in ('images', 'masks'):
            (root / folder / category).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(np.zeros((24, 32, 3), np.uint8)).save(
                root / 'images' / category / f'{i}.jpg')
            Image.fromarray(np.full((24, 32), 255, np.uint8)).save(
                root / 'masks' / category / f'{i}.png')
    block, = _python_blocks('Add a dataset')
    config = tmp_path / 'my_dataset.py'
    config.write_text(block.replace('/data/my_coseg', str(root)))
    cfg = Config.fromfile(str(config))
    assert cfg.model.semantic_head.num_classes == 12
    init_default_scope('mmcoseg')
    train = DATASETS.build(cfg.train_dataloader.dataset)
    test = DATASETS.build(cfg.test_dataloader.dataset)
    assert train.metainfo['classes'] == ('cat_a', 'cat_b')
    assert len(train) == 6 and len(test) == 2  # anchors; groups of 5
