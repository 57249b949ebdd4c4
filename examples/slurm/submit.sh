#!/bin/bash
# Submits a sharded drillsim batch: N array tasks, then the merge once all
# of them succeeded.
#
#   DRILLSIM_OUT=/scratch/batches/b1 DRILLSIM_RUNS=10000 \
#   DRILLSIM_ARGS="--plan sat-overall --plan unit-plan" ./submit.sh 8
set -euo pipefail
cd "$(dirname "$0")"
N="${1:-8}"
: "${DRILLSIM_OUT:?set DRILLSIM_OUT to the batch folder (on a filesystem every node sees)}"
export DRILLSIM_OUT
array=$(sbatch --parsable --export=ALL --array=1-"$N" shard.sbatch)
merge=$(sbatch --parsable --export=ALL --dependency=afterok:"$array" merge.sbatch)
echo "array job $array ($N shards), merge job $merge → $DRILLSIM_OUT/merged"
