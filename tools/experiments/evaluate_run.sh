#!/usr/bin/env bash
# Evaluate one trained run the way docs/results.md reports it:
#   1. tools/test.py on the config's test set            -> RUN/test/
#   2. group sensitivity (category / mixed / single)     -> RUN/gs.json
#   3. the distractor benchmark, when the config names one
#      (test_distractor_root; built here if missing)      -> RUN/test_distractors/
#   TTA=1 also: 1 and 3 with tools/test.py --tta          -> RUN/test_tta{,_distractors}/
# Finished steps are skipped when the script runs again.
#
#   bash tools/experiments/evaluate_run.sh CONFIG RUN_DIR [CHECKPOINT]
#
# CHECKPOINT defaults to the newest RUN_DIR/iter_*.pth. OPTS holds --cfg-options
# for every step (e.g. OPTS="model.modulators.0.keep_ratio=0" evaluates a
# CategorySelector model with its selection off). SHOW=1 also paints
# every test image and group (tools/test.py --show-dir RUN_DIR/vis). Expects the
# environment to be active (tools/setup_env.sh) and the data linked under
# data/ (see the dataset configs).
set -euo pipefail
cfg=$1 work=$2
ckpt=${3:-$(ls -t "$work"/iter_*.pth | head -n 1)}
mkdir -p "$work"
opts=(); [ -n "${OPTS:-}" ] && read -r -a opts <<< "--cfg-options ${OPTS}"

# test.py STEP [ARGS...]: one tools/test.py run into RUN/STEP/, log RUN/STEP.log
test_step() {
  local step=$1; shift
  if ! ls "$work/$step"/*/*.json >/dev/null 2>&1; then
    echo "[eval] $(date -u +%H:%M:%S) $step $work"
    python tools/test.py "$cfg" "$ckpt" --work-dir "$work/$step" "${opts[@]}" "$@" \
      > "$work/$step.log" 2>&1 || { tail -n 30 "$work/$step.log"; exit 1; }
  fi
}
show=(); [ "${SHOW:-0}" = 1 ] && show=(--show-dir "$PWD/$work/vis")
test_step test "${show[@]}"
if [ ! -f "$work/gs.json" ]; then
  echo "[eval] $(date -u +%H:%M:%S) group sensitivity $work"
  python tools/analysis_tools/group_sensitivity.py "$cfg" "$ckpt" "${opts[@]}" \
    --work-dir "$work/gs" --out "$work/gs.json" > "$work/gs.log" 2>&1 \
    || { tail -n 30 "$work/gs.log"; exit 1; }
fi
[ "${TTA:-0}" = 1 ] && test_step test_tta --tta
# The distractor set of the config's test classes, if it has one.
read -r root split classes < <(python - "$cfg" <<'EOF'
import sys
from mmengine.config import Config
cfg = Config.fromfile(sys.argv[1])
root = cfg.get('test_distractor_root')
dataset = cfg.test_dataloader.dataset
classes = (dataset.get('metainfo') or {}).get('classes')
from mmcoseg.datasets.category_split import check_split
split = check_split(dataset.get('split'))
print(root or '-', ','.join(f'{p}:{f}' for p, f in split) if split else '-',
      ' '.join(classes or []))
EOF
)
[ "$root" = - ] && exit 0
if [ ! -f "$root/manifest.json" ]; then
  src=$(python -c "from mmengine.config import Config; import sys; \
print(Config.fromfile(sys.argv[1]).test_dataloader.dataset.data_root)" "$cfg")
  echo "[eval] building the distractor set $root from $src"
  make=()
  [ -n "$classes" ] && read -r -a make <<< "--classes $classes"
  if [ "$split" != - ]; then
    IFS=, read -r -a pairs <<< "$split"
    for pair in "${pairs[@]}"; do make+=(--split "${pair%%:*}" "${pair##*:}"); done
  fi
  python tools/dataset_converters/make_distractor_set.py "$src" "$root" \
    "${make[@]}"
fi
# The distractor set holds the test images only: no split there.
on_root=(--cfg-options "test_dataloader.dataset.data_root=$root"
         "test_dataloader.dataset.split=None")
test_step test_distractors "${on_root[@]}"
[ "${TTA:-0}" = 1 ] && test_step test_tta_distractors --tta "${on_root[@]}"
exit 0
