#!/usr/bin/env bash
# The GPU check, in one call on a bare GPU machine:
#   (a) the end-to-end train / test / resume test (tests/test_tools/
#       test_train_test_cli.py) on CUDA;
#   (b) HRNet-W18 SSNM (the default config, the paper's f_spa, and the
#       group-consensus f_spa of ssnm-consensus_*) vs a plain MMSeg
#       FPN segmentor on the same backbone: training and inference
#       throughput and the per-part breakdown at the paper's batch (4 groups
#       x 5 images, 224x224), float32 and AMP (float16 autocast), random
#       weights;
#   (c) the exact eigen-solve of f_spa on the GPU in float64 and float32;
# then writes one Markdown table to $OUT/gpu_check.md (raw outputs beside
# it: *.log, *.json) and prints it.
#
#   bash tools/analysis_tools/gpu_check.sh            # run it (needs CUDA)
#   bash tools/analysis_tools/gpu_check.sh --dry-run  # print the plan only
#
# Environment: OUT (default ./gpu_check_out); PYTHON (default python3);
# DEVICE (default cuda; cpu with QUICK=1 rehearses (b), (c) and the report
# on tiny sizes, without (a)); STEPS (default "a b c": the steps to run;
# e.g. STEPS=b reruns the throughput into an OUT that holds the others,
# and the report reads them all).
#
# A bare GPU machine (../shared/device/README.md) has torch but no
# OpenMMLab packages and no registry: before the device run, fetch the
# wheels, with pytest's, on a machine that has one:
#   bash ../shared/device/fetch-wheels.sh pytest pluggy iniconfig packaging ftfy
# (mmseg imports ftfy, which that machine lacks)
# and carry .whl/ along. When mmengine, mmseg or pytest do not import, the
# script installs .whl/*.whl into .site/ and puts .site and the repository
# first on PYTHONPATH (mmcoseg runs from the source tree). ~6 minutes on an
# H200 (most of it process start-up); every step has its own time limit.
set -uo pipefail
cd "$(dirname "$0")/../.."

DRY=0
case "${1:-}" in
  --dry-run) DRY=1 ;;
  "") ;;
  *) echo "usage: $0 [--dry-run]" >&2; exit 2 ;;
esac
OUT=${OUT:-./gpu_check_out}
PY=${PYTHON:-python3}
DEVICE=${DEVICE:-cuda}
QUICK=${QUICK:-0}
STEPS=${STEPS:-a b c}
HR=configs/ssnm/ssnm_hrnet-w18_1x4g5-200k_coco-seg-224x224.py
HR_CONS=configs/ssnm/ssnm-consensus_hrnet-w18_1x4g5-200k_coco-seg-224x224.py
if [ "$QUICK" = 1 ]; then
  BATCH=(--batch-groups 1 --group-size 2 --size 64x64 --warmup 0 --repeats 1
    --threads 1)
  SOLVE=(--ms 980,3920 --dims 64 --repeats 1 --released-steps 5 --threads 1)
else
  BATCH=(--batch-groups 4 --group-size 5 --size 224x224 --warmup 3 --repeats 10)
  SOLVE=(--ms 15680,62720,125440 --dims 128,256 --repeats 10 --released-steps 200)
fi
STATUS=0

# Print a step; unless dry, run it under `timeout LIMIT`, its output to LOG.
step() {
  local limit=$1 log=$2
  shift 2
  echo "+ timeout $limit $* > $OUT/$log"
  [ "$DRY" = 1 ] && return 0
  timeout "$limit" "$@" > "$OUT/$log" 2>&1
  local rc=$?
  [ "$rc" = 0 ] || { echo "  exit $rc (see $OUT/$log)"; STATUS=1; }
  return "$rc"
}

echo "[gpu-check] plan (OUT=$OUT, DEVICE=$DEVICE, QUICK=$QUICK, STEPS=$STEPS)"
if [ "$DRY" = 0 ]; then
  mkdir -p "$OUT"
  if ! "$PY" -c 'import mmengine, mmseg, mmpretrain, pytest' 2>/dev/null; then
    echo "+ $PY -m pip install ... --target .site .whl/*.whl"
    ls .whl/*.whl >/dev/null 2>&1 || {
      echo "error: mmengine/mmseg/pytest missing and no .whl/ to install" \
        "(see the header of $0)" >&2; exit 2; }
    "$PY" -m pip install -q --no-index --no-deps --no-compile \
      --no-cache-dir --upgrade --target .site .whl/*.whl || exit 2
    export PYTHONPATH=$PWD/.site:$PWD${PYTHONPATH:+:$PYTHONPATH}
  fi
  if [ "$DEVICE" = cuda ]; then
    "$PY" -c 'import torch; assert torch.cuda.is_available(), "no CUDA"' \
      || exit 2
    nvidia-smi --query-gpu=name,driver_version,memory.total \
      --format=csv > "$OUT/nvidia-smi.csv" 2>&1 || true
  fi
else
  echo "+ (if mmengine, mmseg or pytest do not import)" \
    "$PY -m pip install -q --no-index --no-deps --no-compile" \
    "--no-cache-dir --upgrade --target .site .whl/*.whl" \
    "&& export PYTHONPATH=\$PWD/.site:\$PWD"
fi

# (a) end to end on CUDA: the tools pick the GPU when one is visible.
# Whether step $1 (a, b or c) is in STEPS.
want() { [[ " $STEPS " == *" $1 "* ]]; }

if [ "$QUICK" = 1 ] || ! want a; then
  echo "(a) skipped (QUICK=$QUICK, STEPS=$STEPS)"
else
  start=$(date +%s)
  step 420 e2e.log env CUDA_VISIBLE_DEVICES="${CUDA_VISIBLE_DEVICES:-0}" \
    "$PY" -m pytest -q -p no:cacheprovider \
    tests/test_tools/test_train_test_cli.py
  rc=$?
  [ "$DRY" = 1 ] || printf '{"rc": %d, "seconds": %d}\n' "$rc" \
    "$(( $(date +%s) - start ))" > "$OUT/e2e.json"
fi

# (b) throughput: SSNM (default, consensus) and the FPN baseline, fp32, AMP.
want b && for amp in "" --amp; do
  tag=${amp:+-amp}
  for name in default consensus fpn; do
    case $name in
      default) args=("$HR" --breakdown) ;;
      consensus) args=("$HR_CONS" --breakdown) ;;
      fpn) args=("$HR" --baseline-fpn --breakdown) ;;
    esac
    step 150 "bench-$name$tag.log" "$PY" tools/analysis_tools/benchmark.py \
      "${args[@]}" --device "$DEVICE" --mode both "${BATCH[@]}" $amp \
      --json "$OUT/bench-$name$tag.json"
  done
done

# (c) the exact solve on the device.
want c && for dtype in float64 float32; do
  step 120 "solve-$dtype.log" "$PY" tools/analysis_tools/bench_spatial.py \
    --device "$DEVICE" "${SOLVE[@]}" --solve-dtype $dtype --dense-max-mb 0 \
    --released-dense-max-mb 0 --json "$OUT/solve-$dtype.json"
done

step 60 report.log "$PY" tools/analysis_tools/gpu_check_report.py "$OUT"
if [ "$DRY" = 1 ]; then
  echo "[gpu-check] dry run: nothing was run"
  exit 0
fi
cat "$OUT/gpu_check.md"
exit $STATUS
