#!/usr/bin/env bash
# Sourced by the provisioning scripts (from the synced repository): wait_for <seconds> <command…>
# retries the command until it succeeds, or fails naming it after <seconds>.
set -euo pipefail

wait_for() {
  local timeout=$1 start=$SECONDS
  shift
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS - start > timeout)); then
      echo "${wait_label:-provision}: gave up after ${timeout}s waiting for: $*" >&2
      return 1
    fi
    sleep 3
  done
}
