#!/usr/bin/env bash
# The main job on the embedded default: set up the environment if needed,
# generate the synthetic co-segmentation set, train the small SSNM config on
# the CPU (~10 min on 2 cores), evaluate it and render a few groups.
#
#   bash tools/demo.sh            the full model
#   bash tools/demo.sh all        the full model and the three ablations
#                                 (paper Table 5), then a summary table
#   bash tools/demo.sh ssnm-no-spa ...   the named variants only
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh
# shellcheck disable=SC1091
. "${MMCOSEG_VENV:-.venv}/bin/activate"
export PYTHONWARNINGS=ignore

DATA=data/synthetic_coseg
python tools/misc/make_synthetic_coseg.py "$DATA"

SUFFIX=r18-c16_1x4g5-1500i_synthetic-128x128
variants=("$@")
[ $# -eq 0 ] && variants=(ssnm)
[ "${1:-}" = all ] && variants=(ssnm ssnm-no-spa ssnm-no-sem ssnm-no-mod)
for v in "${variants[@]}"; do
  cfg=configs/ssnm/${v}_${SUFFIX}.py
  work=work_dirs/demo/$v
  mkdir -p "$work"
  echo "[demo] training $v -> $work (log: $work/train.log)"
  python tools/train.py "$cfg" --work-dir "$work" > "$work/train.log" 2>&1 \
    || { tail -n 30 "$work/train.log"; exit 1; }
  echo "[demo] evaluating $v"
  python tools/test.py "$cfg" "$work/iter_1500.pth" --work-dir "$work/test" \
    --show-dir "$PWD/$work/vis" > "$work/test.log" 2>&1 \
    || { tail -n 30 "$work/test.log"; exit 1; }
  python tools/analysis_tools/render_groups.py "$cfg" "$work/iter_1500.pth" \
    --out-dir "$work/groups" --num-groups 4
done
python tools/analysis_tools/summarize_runs.py work_dirs/demo
