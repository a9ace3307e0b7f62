# Sourced by the PASCAL-VOC experiment scripts (from the repository root):
# set up and activate the environment, and check that the data is linked.
bash tools/setup_env.sh
# shellcheck disable=SC1091
. "${MMCOSEG_VENV:-.venv}/bin/activate"
export PYTHONWARNINGS=ignore
# Sleeping rather than spinning OpenMP threads: on a machine shared with
# other jobs, spinning threads stall each other (10x slower iterations).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
[ -d data/pascal_voc_coseg ] || {
  echo "data/pascal_voc_coseg is missing: link the PASCAL-VOC co-seg set" >&2
  exit 2; }
