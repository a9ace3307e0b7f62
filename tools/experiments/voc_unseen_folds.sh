#!/usr/bin/env bash
# Real-data experiment of docs/results.md: SSNM on ImageNet EfficientNet-Lite0
# trained on ten PASCAL-VOC co-seg classes and tested on the ten unseen ones
# (fold A, fold B), for the default SSNM (ssnm: the paper's f_spa, which
# wins on these folds), the improved recipe of the synthetic demo
# (ssnm-consensus) and their ablations. Each run is trained (12-20 min on 2 idle CPU cores),
# then evaluated by tools/experiments/evaluate_run.sh: the test set, the
# group sensitivity (category vs mixed vs single groups) and the distractor
# benchmark of the fold. Finished steps are skipped when the script is
# started again, so it can be spread over several sessions.
#
#   bash tools/experiments/voc_unseen_folds.sh                 every run below
#   bash tools/experiments/voc_unseen_folds.sh ssnm:a ssnm-consensus:b   named runs
#   SEED=1 bash tools/experiments/voc_unseen_folds.sh ssnm:a   another seed
#   ITERS=800 bash tools/experiments/voc_unseen_folds.sh ssnm:a   another schedule
#   FROZEN=1 bash tools/experiments/voc_unseen_folds.sh ssnm:a ssnm-no-mod:a
#       the seen recipe and the plain FPN, frozen backbone, 2000 iterations
#   FROZEN=1 SIZE=320 bash tools/experiments/voc_unseen_folds.sh ssnm-catmask-copypaste:a
#       the same at 320 x 320 inputs (the *-320x320 configs; runs under
#       work_dirs/voc_unseen_frozen_320)
#
# ITERS other than 400 (2000 with FROZEN=1) trains the config with its schedule
# stretched to ITERS (the same warm-up, the poly decay to ITERS), as the
# 800-iteration run of docs/logs/voc_unseen/ssnm_fold-a_800i/ did.
# Variants: ssnm (the paper's f_spa), ssnm-no-spa, ssnm-paper-no-sem, ssnm-no-mod,
# ssnm-consensus, ssnm-consensus-no-sem (configs/ssnm/README.md). Needs data/pascal_voc_coseg
# (ln -s /path/to/pascal_voc_coseg data/).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tools/experiments/voc_env.sh
. tools/experiments/voc_env.sh

# SIZE: the configs' input size (-${SIZE}x${SIZE}.py) and the runs' folder.
SIZE=${SIZE:-224} suffix=
[ "$SIZE" = 224 ] || suffix=_$SIZE
# FROZEN=1: the frozen-backbone 2000-iteration configs (the seen recipe's
# schedule; variants ssnm and ssnm-no-mod) instead of the fine-tuned ones.
if [ "${FROZEN:-0}" = 1 ]; then
  TAG=effnet-lite0-frozen_1x2g5-2000i BASE_ITERS=2000
  ROOT=${ROOT:-work_dirs/voc_unseen_frozen$suffix}
else
  TAG=effnet-lite0_1x2g5-400i BASE_ITERS=400
  ROOT=${ROOT:-work_dirs/voc_unseen$suffix}
fi
ITERS=${ITERS:-$BASE_ITERS}
SEED=${SEED:-0}
runs=("$@")
if [ $# -eq 0 ]; then
  runs=()
  for v in ssnm ssnm-no-spa ssnm-paper-no-sem ssnm-no-mod ssnm-consensus \
      ssnm-consensus-no-sem; do
    runs+=("$v:a" "$v:b")
  done
fi
for run in "${runs[@]}"; do
  variant=${run%%:*} fold=${run##*:}
  cfg=configs/ssnm/${variant}_${TAG}_voc-coseg-fold-${fold}-${SIZE}x${SIZE}.py
  work=$ROOT/${variant}_fold-${fold}
  opts=("randomness.seed=$SEED")
  if [ "$ITERS" != "$BASE_ITERS" ]; then
    work=${work}_${ITERS}i
    opts+=("train_cfg.max_iters=$ITERS" "train_cfg.val_interval=$ITERS"
      "param_scheduler.1.end=$ITERS")
  fi
  [ "$SEED" = 0 ] || work=${work}_seed${SEED}
  bash tools/experiments/train_run.sh "$cfg" "$work" "${opts[@]}"
  bash tools/experiments/evaluate_run.sh "$cfg" "$work" \
    "$work/iter_${ITERS}.pth"
done
echo "[voc] $(date -u +%H:%M:%S) done"
python tools/analysis_tools/summarize_runs.py "$ROOT"
