#!/usr/bin/env bash
# Real-data experiment of docs/results.md: SSNM on ImageNet EfficientNet-Lite0
# trained on ten PASCAL-VOC co-seg classes and tested on the ten unseen ones
# (fold A, fold B), plus the three ablations on fold A. Runs one after the
# other (12-20 min each on 2 idle CPU cores); a finished run is skipped when the
# script is started again, so it can be spread over several sessions.
#
#   bash tools/experiments/voc_unseen_folds.sh              all five runs
#   bash tools/experiments/voc_unseen_folds.sh ssnm:a ssnm:b   named runs
#   ITERS=800 bash tools/experiments/voc_unseen_folds.sh ssnm:a  the 800i configs
#
# Needs data/pascal_voc_coseg (ln -s /path/to/pascal_voc_coseg data/).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/setup_env.sh
# shellcheck disable=SC1091
. "${MMCOSEG_VENV:-.venv}/bin/activate"
export PYTHONWARNINGS=ignore
# Sleeping rather than spinning OpenMP threads: on a machine shared with
# other jobs, spinning threads stall each other (10x slower iterations).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
[ -d data/pascal_voc_coseg ] || {
  echo "data/pascal_voc_coseg is missing: link the PASCAL-VOC co-seg set" >&2
  exit 2; }

ITERS=${ITERS:-400}
ROOT=${ROOT:-work_dirs/voc_unseen}
runs=("$@")
[ $# -eq 0 ] && runs=(ssnm:a ssnm:b ssnm-no-spa:a ssnm-no-sem:a ssnm-no-mod:a)
for run in "${runs[@]}"; do
  variant=${run%%:*} fold=${run##*:}
  cfg=configs/ssnm/${variant}_effnet-lite0_1x2g5-${ITERS}i_voc-coseg-fold-${fold}-224x224.py
  work=$ROOT/${variant}_fold-${fold}
  [ "$ITERS" = 400 ] || work=${work}_${ITERS}i
  mkdir -p "$work"
  if [ ! -f "$work/iter_${ITERS}.pth" ]; then
    echo "[voc] $(date -u +%H:%M:%S) training $run -> $work/train.log"
    resume=(); [ -f "$work/last_checkpoint" ] && resume=(--resume)
    python tools/train.py "$cfg" --work-dir "$work" "${resume[@]}" \
      >> "$work/train.log" 2>&1 || { tail -n 30 "$work/train.log"; exit 1; }
  fi
  if ! ls "$work"/test/*/*.json >/dev/null 2>&1; then
    echo "[voc] $(date -u +%H:%M:%S) testing $run -> $work/test.log"
    python tools/test.py "$cfg" "$work/iter_${ITERS}.pth" \
      --work-dir "$work/test" --show-dir "$PWD/$work/vis" \
      > "$work/test.log" 2>&1 || { tail -n 30 "$work/test.log"; exit 1; }
  fi
done
echo "[voc] $(date -u +%H:%M:%S) done"
python tools/analysis_tools/summarize_runs.py "$ROOT"
