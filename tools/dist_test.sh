#!/usr/bin/env bash
# Distributed testing with torchrun, as MMSegmentation's tools/dist_test.sh.
#
#   bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py args...]
#
# Environment: NNODES (1), NODE_RANK (0), PORT (29500), MASTER_ADDR
# (127.0.0.1), PYTHON (python). On a machine without GPU, GPUS is the number
# of CPU processes (the tools then use gloo and CPU DDP).

CONFIG=$1
CHECKPOINT=$2
GPUS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}

${PYTHON} -m torch.distributed.run \
    --nnodes=$NNODES \
    --node_rank=$NODE_RANK \
    --master_addr=$MASTER_ADDR \
    --nproc_per_node=$GPUS \
    --master_port=$PORT \
    $(dirname "$0")/test.py \
    $CONFIG \
    $CHECKPOINT \
    --launcher pytorch \
    ${@:4}
