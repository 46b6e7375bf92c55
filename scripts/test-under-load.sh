#!/usr/bin/env bash
# `npm run test:load [-- RUNS]`: the whole suite (scripts/test.sh) RUNS times in a row (default 3)
# with both cores saturated by `stress-ng --cpu 2`, as on a busy CI machine. Each run must pass
# within 30 minutes; prints each run's time and tally, and exits 1 if any run failed or ran over.
set -uo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) == 0 ]] || { echo "test-under-load.sh: run as root (the tests create network namespaces)" >&2; exit 1; }
runs=${1:-3}
[[ $runs =~ ^[1-9][0-9]?$ ]] || { echo "test-under-load.sh: RUNS must be a number from 1 to 99, not \"$runs\"" >&2; exit 2; }
limit=$((30 * 60))

if ! command -v stress-ng >/dev/null 2>&1; then
  echo "test-under-load: installing stress-ng" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends stress-ng >/dev/null || exit 1
fi
scripts/setup.sh || exit 1

# The load ends by itself after the longest the runs may take, and at once when this script does.
stress-ng --cpu 2 --timeout $((runs * limit + 60))s --quiet &
stress=$!
trap 'kill $stress 2>/dev/null; wait $stress 2>/dev/null' EXIT

failed=0
summary=()
for run in $(seq 1 "$runs"); do
  log=$(mktemp --suffix=.log)
  started=$SECONDS
  scripts/test.sh >"$log" 2>&1
  status=$?
  took=$((SECONDS - started))
  tally=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  verdict=ok
  if [[ $status != 0 ]]; then verdict=FAILED; failed=1; fi
  if ((took > limit)); then verdict="$verdict, OVER 30 min"; failed=1; fi
  line="run $run/$runs: $((took / 60))m$((took % 60))s, ${tally:-no tally}, load average $(cut -d' ' -f1-3 /proc/loadavg): $verdict (log: $log)"
  echo "test-under-load: $line"
  grep '^test.sh: failed: ' "$log"
  summary+=("$line")
done
printf '%s\n' "${summary[@]}"
exit $failed
