#!/usr/bin/env bash
# The main job of the README: sets up the machine, then runs the netns lab demo (as root).
# `npm run lab` runs it; `npm run lab -- down` removes what a crashed run left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) == 0 ]] || { echo "lab.sh: run as root (the lab creates network namespaces)" >&2; exit 1; }
scripts/setup.sh
exec npm exec --silent -- node cli/lab/main.ts "$@"
