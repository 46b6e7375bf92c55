#!/usr/bin/env bash
# `npm test`, the test command of the README and of .ci/run: sets up the machine, runs every ava test
# (unit and root), and ends with the line `N passed, N failed` that CI reads.
#
# The tally is counted here from ava's TAP stream, one `ok`/`not ok` line per test as it ends, not
# from ava's closing summary: that summary is lost when ava dies (its TAP reporter crashes on a
# global timeout, ava issue #3461), and the results printed before must still count. Every test
# has its own deadline (test/support/test.ts), so a hung test fails under its name; a run that
# ends without ava's summary counts one more failure and says so.
set -uo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) == 0 ]] || { echo "test.sh: run as root (the tests create network namespaces)" >&2; exit 1; }
scripts/setup.sh || exit 1
npm exec --silent -- tsc --noEmit -p . || { echo "typecheck failed"; echo "0 passed, 1 failed"; exit 1; }

tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
started=$SECONDS
npm exec --silent -- ava --tap "$@" | tee "$tap"
status=${PIPESTATUS[0]}

passed=$(grep -cE '^ok [0-9]+ - ' "$tap")
skipped=$(grep -cE '^ok [0-9]+ - .* # (SKIP|TODO)' "$tap")
passed=$((passed - skipped))
mapfile -t failures < <(sed -n 's/^not ok [0-9]* - //p' "$tap")
failed=${#failures[@]}
summarised=$(grep -cE '^# (pass|fail) [0-9]+$' "$tap")

echo
echo "test.sh: ava exited $status after $((SECONDS - started)) s"
for failure in "${failures[@]}"; do echo "test.sh: failed: $failure"; done
if ((summarised == 0)); then
  echo "test.sh: ava ended without its summary (it crashed or was killed): the results above are counted, a test still running was not reported"
  failed=$((failed + 1))
elif [[ $status != 0 && $failed == 0 ]]; then
  echo "test.sh: ava exited $status with no failed test reported (an error outside any test: see above)"
  failed=1
fi
if ((passed == 0 && failed == 0)); then
  echo "test.sh: no test ran"
  failed=1
fi
if ((skipped > 0)); then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[[ $status == 0 && $failed == 0 ]]
