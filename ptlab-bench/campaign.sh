#!/usr/bin/env bash
# The acceptance campaign of issue 16 (not run in CI: minutes): mutated shipped examples and random
# kills against ptlab-cli/target/ptlab.jar. Usage: bash ptlab-bench/campaign.sh [INPUTS] [KILLS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f ptlab-cli/target/ptlab.jar ] || mvn -B -q -DskipTests package -pl ptlab-cli -am
exec python3 ptlab-bench/campaign.py --inputs "${1:-200}" --kills "${2:-100}" --seed "${3:-16}" --log "${PTLAB_CAMPAIGN_LOG:-/dev/null}"
