#!/usr/bin/env bash
# The lab's router, as in the netns lab (test/support/routing-lab.ts): one NIC per subnet
# (r-A, r-B, … named and addressed by nics.sh), IPv4 and IPv6 forwarding, and strict
# reverse-path filtering — a packet is dropped when the reply to its source would not leave
# through the interface it came in on. That is what makes asymmetric routing visible: a pod
# that answers a request for its subnet-B address through another NIC is dropped here.
# Usage: router.sh <generated dir of the router>
set -euo pipefail
generated=${1:?usage: router.sh <generated dir of the router>}
export DEBIAN_FRONTEND=noninteractive

apt-get update -qq
apt-get install -y -qq --no-install-recommends iptables >/dev/null

# IPv4: rp_filter=1 (strict). The kernel applies the larger of "all" and the interface's own
# value, so "all" already covers every interface; each lab NIC is listed too, so that
# `sysctl -a` shows what is meant.
{
  echo "# nicpool lab (vagrant/provision/router.sh)"
  echo "net.ipv4.ip_forward = 1"
  echo "net.ipv6.conf.all.forwarding = 1"
  echo "net.ipv4.conf.all.rp_filter = 1"
  echo "net.ipv4.conf.default.rp_filter = 1"
  while IFS=$'\t' read -r name _; do
    echo "net.ipv4.conf.$name.rp_filter = 1"
  done <"$generated/nics.tsv"
} >/etc/sysctl.d/60-nicpool-router.conf
sysctl -q --load=/etc/sysctl.d/60-nicpool-router.conf

# IPv6 has no rp_filter sysctl: netfilter's rpfilter match does the same, in the raw table
# before routing. A oneshot unit adds the rule at every boot, once.
cat >/etc/systemd/system/nicpool-rpfilter6.service <<'EOF'
[Unit]
Description=nicpool lab: drop IPv6 packets that fail the reverse-path check (strict, like rp_filter=1)
Before=network-pre.target
Wants=network-pre.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'ip6tables -t raw -C PREROUTING -m rpfilter --invert -j DROP 2>/dev/null || ip6tables -t raw -A PREROUTING -m rpfilter --invert -j DROP'

[Install]
WantedBy=multi-user.target
EOF
systemctl daemon-reload
systemctl enable nicpool-rpfilter6.service
systemctl restart nicpool-rpfilter6.service

echo "router.sh: forwarding on; rp_filter:"
sysctl net.ipv4.conf.all.rp_filter
ip6tables -t raw -S PREROUTING
