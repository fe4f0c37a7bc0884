#!/bin/sh
# Submits one sharded run to AWS Batch: an array job of SHARDS children (each gets
# AWS_BATCH_JOB_ARRAY_INDEX = 0 … SHARDS−1), then the merge job, which depends on the array
# job and so starts when every child has succeeded.
# Usage: deploy/aws-batch/submit.sh QUEUE RUN_URI [TRIALS] [SHARDS] [SEED]
# Register the job definition first:
#   aws batch register-job-definition --cli-input-json file://deploy/aws-batch/job-definition.json
set -eu
QUEUE=$1
RUN_URI=$2
TRIALS=${3:-3200}
SHARDS=${4:-16}
SEED=${5:-20261126}
ENV="[{\"name\":\"TRIALS\",\"value\":\"$TRIALS\"},{\"name\":\"SHARDS\",\"value\":\"$SHARDS\"},{\"name\":\"SEED\",\"value\":\"$SEED\"},{\"name\":\"RUN_URI\",\"value\":\"$RUN_URI\"}]"
SHARDS_JOB=$(aws batch submit-job --job-name vaultsim-shards --job-queue "$QUEUE" \
    --job-definition vaultsim --array-properties "size=$SHARDS" \
    --container-overrides "{\"environment\":$ENV}" --query jobId --output text)
aws batch submit-job --job-name vaultsim-merge --job-queue "$QUEUE" \
    --job-definition vaultsim --depends-on "jobId=$SHARDS_JOB" \
    --container-overrides "{\"command\":[\"/usr/local/bin/merge.sh\"],\"environment\":$ENV}"
