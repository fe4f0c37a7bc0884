#!/bin/sh
# The merge step: download every partial, merge, upload the run's outputs.
# Environment: RUN_URI (as shard.sh). The partials name the scenario file and the SHA-256
# of it and of the policy and price files it reads; the merge reloads them (same image, or
# SCENARIO_URI as in shard.sh) and refuses partials from another scenario or policy or
# price file, seed, trial count or vaultsim build.
set -eu
if [ -n "${SCENARIO_URI:-}" ]; then
    aws s3 cp --recursive "$SCENARIO_URI" scenarios/
fi
aws s3 cp "$RUN_URI/partials/" /tmp/partials/ --recursive
vaultsim merge /tmp/partials --out /tmp/outputs
aws s3 cp /tmp/outputs/ "$RUN_URI/outputs/" --recursive
