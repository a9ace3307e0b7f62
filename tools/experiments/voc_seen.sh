#!/usr/bin/env bash
# The seen-category PASCAL-VOC experiment of docs/results.md: every model is
# trained on two thirds of each of the 20 classes and evaluated on the other
# third by tools/experiments/evaluate_run.sh (clean test set, group
# sensitivity: category / mixed / single groups, and the distractor set).
# Finished steps are skipped when the script runs again.
#
#   bash tools/experiments/voc_seen.sh                    every run below
#   bash tools/experiments/voc_seen.sh ssnm ssnm-no-mod   named runs
#   SEED=1 bash tools/experiments/voc_seen.sh ssnm        another seed
#   ITERS=6000 bash tools/experiments/voc_seen.sh ssnm-no-mod
#                       a longer schedule (the same warm-up, the poly decay
#                       stretched), under work_dirs/voc_seen_6000i
#   SIZE=320 bash tools/experiments/voc_seen.sh ssnm-catmask-copypaste ssnm-no-mod
#                       320 x 320 inputs (the *-seen-320x320 configs), under
#                       work_dirs/voc_seen_320
#   SIZE=384 bash tools/experiments/voc_seen.sh ssnm-catmask-copypaste-bank ssnm-no-mod
#                       likewise at 384 x 384 (the *-seen-384x384 configs)
#
# Variants (configs/ssnm/<variant>_effnet-lite0-frozen_..._voc-coseg-seen-*):
# ssnm-catmask-copypaste (the recipe for seen categories: a mask per
# category, trained with pasted objects), ssnm-catmask-copypaste-no-spa,
# ssnm-catmask-copypaste-no-sem, ssnm-catmask-copypaste-no-both (its
# ablations), ssnm-catmask-copypaste-bank (the recipe with a bank of pasted
# versions per image, a cheaper step),
# ssnm-catmask-light (the masks without pasted objects), ssnm-category (the
# softmax category head, the previous recipe), ssnm-category-no-spa,
# ssnm-category-no-sem, ssnm-category-no-both (its ablations),
# ssnm-category-fast, ssnm-category-light (cheaper steps), ssnm-no-mod
# (plain FPN), ssnm-paper, ssnm-consensus, and the levers tried: ssnm
# (GroupExchange), ssnm-copypaste, ssnm-crossgroup, ssnm-context.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tools/experiments/voc_env.sh
. tools/experiments/voc_env.sh

SEED=${SEED:-0}
ITERS=${ITERS:-2000}
SIZE=${SIZE:-224}
ROOT=${ROOT:-work_dirs/voc_seen}
[ "$SIZE" = 224 ] || ROOT=${ROOT}_${SIZE}
schedule=()
if [ "$ITERS" != 2000 ]; then
  ROOT=${ROOT}_${ITERS}i
  schedule=("train_cfg.max_iters=$ITERS" "train_cfg.val_interval=$ITERS"
            "param_scheduler.1.end=$ITERS")
fi
SUFFIX=effnet-lite0-frozen_1x2g5-2000i_voc-coseg-seen-${SIZE}x${SIZE}.py
runs=("$@")
[ $# -eq 0 ] && runs=(ssnm-catmask-copypaste ssnm-no-mod ssnm-catmask-light
                      ssnm-catmask-copypaste-no-spa ssnm-catmask-copypaste-no-sem
                      ssnm-catmask-copypaste-no-both ssnm-category ssnm-paper
                      ssnm-consensus ssnm-category-no-spa ssnm-category-no-sem
                      ssnm-category-no-both)
for variant in "${runs[@]}"; do
  cfg=configs/ssnm/${variant}_$SUFFIX
  work=$ROOT/$variant
  [ "$SEED" = 0 ] || work=${work}_seed$SEED
  bash tools/experiments/train_run.sh "$cfg" "$work" "randomness.seed=$SEED" \
    "${schedule[@]}"
  bash tools/experiments/evaluate_run.sh "$cfg" "$work"
done
echo "[voc-seen] $(date -u +%H:%M:%S) done"
python tools/analysis_tools/summarize_runs.py "$ROOT"
