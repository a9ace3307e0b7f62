#!/usr/bin/env bash
# Train the ready CPU model of the web demo and of "Quick start on your own
# images": the seen-category recipe of docs/results.md (the improved SSNM
# with a CategoryMaskSelector, a mask per category that leaves out what is
# not of the group's category, trained with objects of other categories
# pasted in, on a frozen, cached ImageNet EfficientNet-Lite0, 320 x 320
# inputs) on all 20 PASCAL-VOC co-seg classes
# (configs/ssnm/ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_voc-coseg-320x320.py),
# ~30 min on 2 CPU cores. Sets up .venv if missing, links
# ../shared/data/pascal_voc_coseg to data/ when present, and prints the
# checkpoint path as its last line. A finished model is reused; an
# interrupted run resumes from its last checkpoint (every 500 iterations).
#
#   bash tools/build_demo_model.sh           -> work_dirs/demo_model_320/iter_2000.pth
#   ITERS=2 bash tools/build_demo_model.sh   smoke test (work_dirs/demo_model_2i)
#   VOC_COSEG=/path/to/pascal_voc_coseg bash tools/build_demo_model.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=configs/ssnm/ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_voc-coseg-320x320.py
DATA=${VOC_COSEG:-data/pascal_voc_coseg}
SHARED=../shared/data/pascal_voc_coseg
if [ -z "${VOC_COSEG:-}" ] && [ ! -e "$DATA" ] && [ -d "$SHARED" ]; then
  mkdir -p data
  ln -s "$(cd "$SHARED" && pwd)" "$DATA"
  echo "[demo-model] linked $DATA -> $SHARED"
fi
if [ ! -d "$DATA" ]; then
  echo "error: the PASCAL-VOC co-seg set is missing: $DATA does not exist." >&2
  echo "Link it (ln -s /path/to/pascal_voc_coseg data/pascal_voc_coseg) or" \
    "set VOC_COSEG=/path/to/pascal_voc_coseg; expected layout:" \
    "<Class>/img_NNNN.jpg beside img_NNNN.png (README, Datasets)." >&2
  exit 2
fi

bash tools/setup_env.sh
# shellcheck disable=SC1091
. "${MMCOSEG_VENV:-.venv}/bin/activate"
export PYTHONWARNINGS=ignore
# Sleeping rather than spinning OpenMP threads (a machine shared with other
# jobs otherwise stalls; see tools/experiments/voc_unseen_folds.sh).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

WORK=${WORK_DIR:-work_dirs/demo_model_320}
opts=(train_dataloader.dataset.data_root="$DATA"
      test_dataloader.dataset.data_root="$DATA")
if [ -n "${ITERS:-}" ]; then
  WORK=${WORK_DIR:-work_dirs/demo_model_${ITERS}i}
  opts+=(train_cfg.max_iters="$ITERS")
else
  ITERS=$(python -c "from mmengine.config import Config; \
print(Config.fromfile('$CONFIG').train_cfg.max_iters)")
fi
mkdir -p "$WORK"
if [ -f "$WORK/iter_${ITERS}.pth" ]; then
  echo "[demo-model] $WORK/iter_${ITERS}.pth exists: reusing it"
else
  resume=(); [ -f "$WORK/last_checkpoint" ] && resume=(--resume)
  echo "[demo-model] $(date -u +%H:%M:%S) training $CONFIG -> $WORK" \
    "(log: $WORK/train.log)"
  python tools/train.py "$CONFIG" --work-dir "$WORK" "${resume[@]}" \
    --cfg-options "${opts[@]}" >> "$WORK/train.log" 2>&1 \
    || { tail -n 30 "$WORK/train.log"; exit 1; }
fi
ckpt=$WORK/iter_${ITERS}.pth
echo "[demo-model] $(date -u +%H:%M:%S) done. Web demo:"
echo "  python tools/webui.py $CONFIG $ckpt"
echo "$ckpt"
