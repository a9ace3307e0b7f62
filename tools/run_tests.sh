#!/usr/bin/env bash
# Set up the environment if needed, then lint and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh
# shellcheck disable=SC1091
. "${MMCOSEG_VENV:-.venv}/bin/activate"
ruff check mmcoseg tools tests configs
python -m pytest -q -p no:cacheprovider "$@"
