#!/usr/bin/env bash
# Train one run unless it is finished; an interrupted run resumes.
#   bash tools/experiments/train_run.sh CONFIG WORK_DIR [CFG_OPTION ...]
# Log: WORK_DIR/train.log. Finished: WORK_DIR/iter_<max_iters>.pth exists.
# Expects the environment to be active (tools/setup_env.sh).
set -euo pipefail
cfg=$1 work=$2; shift 2
iters=$(python -c "import sys; from mmengine.config import Config; \
c = Config.fromfile(sys.argv[1]); c.merge_from_dict(dict( \
a.split('=', 1) for a in sys.argv[2:])); print(int(c.train_cfg.max_iters))" \
  "$cfg" "$@")
mkdir -p "$work"
[ -f "$work/iter_${iters}.pth" ] && exit 0
echo "[train] $(date -u +%H:%M:%S) $cfg $* -> $work"
resume=(); [ -f "$work/last_checkpoint" ] && resume=(--resume)
opts=(); [ $# -gt 0 ] && opts=(--cfg-options "$@")
python tools/train.py "$cfg" --work-dir "$work" "${resume[@]}" "${opts[@]}" \
  >> "$work/train.log" 2>&1 || { tail -n 30 "$work/train.log"; exit 1; }
