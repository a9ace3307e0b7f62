#!/usr/bin/env bash
# Set up the environment (and Chromium for the browser test) if needed,
# then lint and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh
# Chromium + ChromeDriver for the web demo's browser test (if root + apt).
bash tools/misc/install_chromium.sh
# shellcheck disable=SC1091
. "${MMCOSEG_VENV:-.venv}/bin/activate"
ruff check mmcoseg tools tests configs
python -m pytest -q -p no:cacheprovider "$@"
