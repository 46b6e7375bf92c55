#!/usr/bin/env bash
# The lab's client in subnet C: what vagrant/check.sh connects from. nics.sh has given it its
# address and its routes to the other subnets through the router (vagrant/lib/topology.rb says
# why routes to the subnets rather than a default route).
# Usage: client.sh <generated dir of the client>
set -euo pipefail
generated=${1:?usage: client.sh <generated dir of the client>}
export DEBIAN_FRONTEND=noninteractive

# ping for the ICMP check; netcat-openbsd (nc -w) for the TCP check against the pods' httpd.
apt-get update -qq
apt-get install -y -qq --no-install-recommends iputils-ping netcat-openbsd >/dev/null

echo "client.sh: its lab NIC's routes:"
while IFS=$'\t' read -r name _; do
  ip route show dev "$name"
  ip -6 route show dev "$name"
done <"$generated/nics.tsv"
