#!/usr/bin/env bash
# `npm test`, the test command of the README and of .ci/run: sets up the machine, runs every ava test
# (unit and root), and ends with the line `N passed, N failed` that CI reads.
set -uo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) == 0 ]] || { echo "test.sh: run as root (the tests create network namespaces)" >&2; exit 1; }
scripts/setup.sh || exit 1
npm exec --silent -- tsc --noEmit -p . || { echo "0 passed, 1 failed"; exit 1; }

tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
npm exec --silent -- ava --tap "$@" | tee "$tap"
status=${PIPESTATUS[0]}
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap")
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap")
passed=${passed:-0}
failed=${failed:-0}
# A run that crashed before reporting, or ran nothing, is a failure.
if [[ $status != 0 && $failed == 0 ]]; then failed=1; fi
if [[ $passed == 0 && $failed == 0 ]]; then failed=1; fi
echo "$passed passed, $failed failed"
[[ $status == 0 && $failed == 0 ]]
