#!/usr/bin/env bash
# J of one trained CategorySelector model for several values of one of its
# test-time ratios (PARAM: keep_ratio, the default, where 0 keeps every part,
# i.e. no selection; guard_ratio; pixel_ratio; or min_confidence, the
# open-set gate), or of the decoder's foreground threshold (PARAM=threshold:
# model.decode_head.threshold, for any model), on the config's test set, in
# mixed groups (tools/analysis_tools/group_sensitivity.py) and on its
# distractor set. Run it on the validation protocol
# (configs/ssnm/*_voc-coseg-seen-val-*) to choose the ratio, never on the
# test third.
#
#   [PARAM=guard_ratio] bash tools/experiments/selection_sweep.sh CONFIG RUN_DIR [RATIO ...]
#
# OPTS holds further --cfg-options for every run (e.g. the other ratios as
# they were when this one was chosen: OPTS="model.modulators.0.pixel_ratio=0").
#
# When the config names an open_set_dataset (groups of categories the model
# never learnt, e.g. the seen protocol's coco128 set) and it is built, the
# table gets a column of J there too.
#
# RATIOs default to 0 0.1 0.25 0.5 1. The selector must be the first entry
# of model.modulators (but for PARAM=threshold). Each run logs to
# RUN_DIR/sweep_PARAM/; the table goes to stdout and RUN_DIR/sweep_PARAM.md.
# Expects the environment to be active and the distractor set built
# (tools/experiments/evaluate_run.sh builds it).
set -euo pipefail
cfg=$1 work=$2; shift 2
ratios=("$@"); [ $# -eq 0 ] && ratios=(0 0.1 0.25 0.5 1)
param=${PARAM:-keep_ratio}
key=model.modulators.0.$param
[ "$param" = threshold ] && key=model.decode_head.threshold
read -r -a extra <<< "${OPTS:-}"
ckpt=$(ls -t "$work"/iter_*.pth | head -n 1)
root=$(python -c "from mmengine.config import Config; import sys; \
print(Config.fromfile(sys.argv[1]).get('test_distractor_root') or '')" "$cfg")
# the --cfg-options that test on the open-set groups (none when absent)
mapfile -t open_set < <(python - "$cfg" <<'EOF'
import os.path as osp
import sys
from mmengine.config import Config
dataset = Config.fromfile(sys.argv[1]).get('open_set_dataset')
if dataset and osp.isdir(dataset['data_root']):
    for key, value in dataset.items():
        for sub, val in (value.items() if isinstance(value, dict)
                         else [(None, value)]):
            val = ('[' + ','.join(val) + ']' if isinstance(val, list)
                   else val)
            print(f"test_dataloader.dataset.{key}{'.' + sub if sub else ''}"
                  f'={val}')
EOF
)
out=$work/sweep_$param
mkdir -p "$out"

# j LOG: the "Ave." J of a tools/test.py log
j() { grep -a "Ave\." "$1" | tail -n 1 | awk -F'|' '{gsub(/ /, "", $5); print $5}'; }

sets=(clean distractors); [ ${#open_set[@]} -gt 0 ] && sets+=(open_set)
table="| $param | J clean | J mixed groups | J distractors |"
rule="|---|---|---|---|"
[ ${#open_set[@]} -gt 0 ] && table+=" J open set |" rule+="---|"
table+="
$rule"
for r in "${ratios[@]}"; do
  for set in "${sets[@]}"; do
    log=$out/${set}_$r.log
    [ -f "$log" ] && grep -aq "Ave\." "$log" && continue
    opts=("${extra[@]}" "$key=$r")
    [ "$set" = distractors ] && opts+=("test_dataloader.dataset.data_root=$root"
                                       "test_dataloader.dataset.split=None")
    [ "$set" = open_set ] && opts+=("${open_set[@]}")
    python tools/test.py "$cfg" "$ckpt" --work-dir "$out/$set" \
      --cfg-options "${opts[@]}" > "$log" 2>&1 || { tail -n 30 "$log"; exit 1; }
  done
  mixed=$out/mixed_$r.json
  [ -f "$mixed" ] || python tools/analysis_tools/group_sensitivity.py \
    "$cfg" "$ckpt" --modes mixed --work-dir "$out/mixed" --out "$mixed" \
    --cfg-options "${extra[@]}" "$key=$r" \
    > "$out/mixed_$r.log" 2>&1 \
    || { tail -n 30 "$out/mixed_$r.log"; exit 1; }
  jm=$(python -c "import json, sys; \
print(json.load(open(sys.argv[1]))['results']['mixed']['J'])" "$mixed")
  table+="
| $r | $(j "$out/clean_$r.log") | $jm | $(j "$out/distractors_$r.log") |"
  if [ ${#open_set[@]} -gt 0 ]; then
    table+=" $(j "$out/open_set_$r.log") |"
  fi
done
echo "$table" | tee "$out.md"
