"""File suffixes: which files are images and masks, defined once.

Every listing of images or masks in mmcoseg (``GroupDataset``, its
validation, ``tools/misc/check_dataset.py``, the inference API and
``tools/cosegment.py``) takes its suffixes from here.
"""

#: Image suffixes :class:`~mmcoseg.datasets.GroupDataset` lists by default
#: (the formats of the co-segmentation benchmarks).
DEFAULT_IMG_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp')
#: Image suffixes OpenCV (mmcv's default image backend, the training and
#: test pipelines' loader) decodes.
READABLE_IMG_SUFFIXES = DEFAULT_IMG_SUFFIXES + ('.tif', '.tiff', '.webp',
                                                '.ppm', '.pgm', '.pbm',
                                                '.jp2')
#: Suffixes PIL decodes: masks (:func:`mmcoseg.datasets.mask_io.read_mask`)
#: and the images of the inference API (:func:`mmcoseg.apis.load_image`).
PIL_SUFFIXES = READABLE_IMG_SUFFIXES + ('.gif', )
#: Mask suffixes :func:`mmcoseg.datasets.mask_io.read_mask` decodes.
READABLE_MASK_SUFFIXES = PIL_SUFFIXES
#: File names that are never data and never reported.
IGNORED_FILES = ('.DS_Store', 'Thumbs.db', 'desktop.ini')

__all__ = [
    'DEFAULT_IMG_SUFFIXES', 'READABLE_IMG_SUFFIXES', 'PIL_SUFFIXES',
    'READABLE_MASK_SUFFIXES', 'IGNORED_FILES'
]
