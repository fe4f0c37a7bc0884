#!/bin/sh
# One shard of a run: simulate it, upload its partial.
# Environment: SCENARIO (path inside the image or fetched below), TRIALS, SHARDS, SEED,
# RUN_URI (s3://bucket/prefix/run-id). The shard index comes from the array-job engine:
# JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch).
set -eu
if [ -n "${SCENARIO_URI:-}" ]; then
    # A scenario not baked into the image: fetch the scenario directory.
    aws s3 cp --recursive "$SCENARIO_URI" scenarios/
fi
vaultsim run "$SCENARIO" --trials "$TRIALS" --seed "$SEED" --shards "$SHARDS" --out /tmp/partials
aws s3 cp /tmp/partials/ "$RUN_URI/partials/" --recursive --exclude '*' --include 'partial-*.bin'
