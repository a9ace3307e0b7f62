# The paper's schedule: Adam (0.9, 0.999), lr 1e-4 halved every 25k
# iterations, 200k iterations.
optimizer = dict(type='Adam', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.0)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer)
param_scheduler = [
    dict(type='StepLR', step_size=25000, gamma=0.5, by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=200000,
                 val_interval=10000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    # MMEngine's LoggerHook; the test-metrics JSON written by one process only.
    logger=dict(
        type='CoSegLoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Writes each checkpoint and `last_checkpoint` atomically (temp + rename).
    checkpoint=dict(
        type='AtomicCheckpointHook', by_epoch=False, interval=10000,
        max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # interval=1: with --show-dir every test group is drawn (interval counts
    # batches of groups); drawing stays off unless a tool turns it on.
    visualization=dict(type='CoSegVisualizationHook', interval=1))
