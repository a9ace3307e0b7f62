#!/usr/bin/env bash
# J of one trained CategorySelector model for several keep ratios (its
# test-time rule; 0 keeps every part, i.e. no selection), on the config's
# test set and on its distractor set. Run it on the validation protocol
# (configs/ssnm/*_voc-coseg-seen-val-*) to choose the ratio, never on the
# test third.
#
#   bash tools/experiments/selection_sweep.sh CONFIG RUN_DIR [RATIO ...]
#
# RATIOs default to 0 0.1 0.25 0.5 1. The selector must be the first entry
# of model.modulators. Each run logs to RUN_DIR/sweep/; the table goes to
# stdout and RUN_DIR/sweep.md. Expects the environment to be active and the
# distractor set built (tools/experiments/evaluate_run.sh builds it).
set -euo pipefail
cfg=$1 work=$2; shift 2
ratios=("$@"); [ $# -eq 0 ] && ratios=(0 0.1 0.25 0.5 1)
ckpt=$(ls -t "$work"/iter_*.pth | head -n 1)
root=$(python -c "from mmengine.config import Config; import sys; \
print(Config.fromfile(sys.argv[1]).get('test_distractor_root') or '')" "$cfg")
mkdir -p "$work/sweep"

# j LOG: the "Ave." J of a tools/test.py log
j() { grep -a "Ave\." "$1" | tail -n 1 | awk -F'|' '{gsub(/ /, "", $5); print $5}'; }

table="| keep_ratio | J clean | J distractors |
|---|---|---|"
for r in "${ratios[@]}"; do
  for set in clean distractors; do
    log=$work/sweep/${set}_$r.log
    [ -f "$log" ] && grep -aq "Ave\." "$log" && continue
    opts=("model.modulators.0.keep_ratio=$r")
    [ "$set" = distractors ] && opts+=("test_dataloader.dataset.data_root=$root"
                                       "test_dataloader.dataset.split=None")
    python tools/test.py "$cfg" "$ckpt" --work-dir "$work/sweep/$set" \
      --cfg-options "${opts[@]}" > "$log" 2>&1 || { tail -n 30 "$log"; exit 1; }
  done
  table+="
| $r | $(j "$work/sweep/clean_$r.log") | $(j "$work/sweep/distractors_$r.log") |"
done
echo "$table" | tee "$work/sweep.md"
