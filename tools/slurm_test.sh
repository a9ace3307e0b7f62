#!/usr/bin/env bash
# Testing on a Slurm cluster, as MMSegmentation's tools/slurm_test.sh.
#
#   [GPUS=8] bash tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT \
#       [args...]
#
# Environment: GPUS (4, total tasks), GPUS_PER_NODE (4), CPUS_PER_TASK (5),
# SRUN_ARGS (extra srun arguments), PYTHON (python). For CPU-only nodes set
# GPUS_PER_NODE to the tasks per node and SRUN_ARGS="--gres=gpu:0"
# (the tools then use gloo and CPU DDP).

set -x

PARTITION=$1
JOB_NAME=$2
CONFIG=$3
CHECKPOINT=$4
GPUS=${GPUS:-4}
GPUS_PER_NODE=${GPUS_PER_NODE:-4}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
PY_ARGS=${@:5}
SRUN_ARGS=${SRUN_ARGS:-""}
PYTHON=${PYTHON:-python}

srun -p ${PARTITION} \
    --job-name=${JOB_NAME} \
    --gres=gpu:${GPUS_PER_NODE} \
    --ntasks=${GPUS} \
    --ntasks-per-node=${GPUS_PER_NODE} \
    --cpus-per-task=${CPUS_PER_TASK} \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS} \
    ${PYTHON} -u $(dirname "$0")/test.py ${CONFIG} ${CHECKPOINT} --launcher="slurm" ${PY_ARGS}
