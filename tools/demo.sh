#!/usr/bin/env bash
# The main job on the embedded default: set up the environment if needed,
# generate the synthetic co-segmentation set, train the small SSNM config on
# the CPU (~10 min on 2 cores), evaluate it (test set and group
# sensitivity) and render a few groups.
#
#   bash tools/demo.sh            the improved SSNM (the default config)
#   bash tools/demo.sh all        it, the paper's SSNM and the ablations
#                                 (paper Table 5), then a summary table
#   bash tools/demo.sh ssnm-paper ssnm-no-spa ...   the named variants only
#   SEED=1 bash tools/demo.sh ssnm                  another seed
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh
# shellcheck disable=SC1091
. "${MMCOSEG_VENV:-.venv}/bin/activate"
export PYTHONWARNINGS=ignore
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

DATA=data/synthetic_coseg
python tools/misc/make_synthetic_coseg.py "$DATA"

SUFFIX=r18-c16_1x4g5-1500i_synthetic-128x128
SEED=${SEED:-0}
variants=("$@")
[ $# -eq 0 ] && variants=(ssnm)
[ "${1:-}" = all ] && variants=(ssnm ssnm-paper ssnm-no-spa ssnm-no-sem
                                ssnm-paper-no-sem ssnm-no-mod)
for v in "${variants[@]}"; do
  cfg=configs/ssnm/${v}_${SUFFIX}.py
  work=work_dirs/demo/$v
  opts=()
  if [ "$SEED" != 0 ]; then
    work=${work}_seed${SEED}
    opts=(--cfg-options "randomness.seed=$SEED")
  fi
  mkdir -p "$work"
  if [ ! -f "$work/iter_1500.pth" ]; then
    echo "[demo] training $v -> $work (log: $work/train.log)"
    python tools/train.py "$cfg" --work-dir "$work" "${opts[@]}" \
      > "$work/train.log" 2>&1 || { tail -n 30 "$work/train.log"; exit 1; }
  fi
  echo "[demo] evaluating $v (test set with pictures, group sensitivity)"
  SHOW=1 bash tools/experiments/evaluate_run.sh "$cfg" "$work" \
    "$work/iter_1500.pth"
  python tools/analysis_tools/render_groups.py "$cfg" "$work/iter_1500.pth" \
    --out-dir "$work/groups" --num-groups 4
done
python tools/analysis_tools/summarize_runs.py work_dirs/demo
