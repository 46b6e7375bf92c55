#!/usr/bin/env bash
# Names and addresses this VM's lab NICs as vagrant/lib/topology.rb planned them, on every VM.
# Usage: nics.sh <generated dir of this VM>
#   nics.tsv    name, MAC, IPv4/prefix, IPv6/prefix   (one line per NIC)
#   routes.tsv  device, destination, gateway          (the client's routes to the other subnets)
#
# Vagrant attaches each NIC with the plan's MAC and leaves it alone (auto_config: false). Its
# name depends on the provider (eth1, ens6, enp0s8…), but the NetworkAttachmentDefinitions name
# the macvlan master, the same on every node: so each NIC is found by its MAC and renamed
# (ens-a, r-B, c0…), now and at every boot (a systemd .link file, also in the initramfs), and
# addressed by ifupdown, which the Debian box already uses for its management NIC. (Not
# systemd-networkd: it removes routing rules it did not make, such as the coordinator's.)
set -euo pipefail
generated=${1:?usage: nics.sh <generated dir of this VM>}

# Replaces file $1 with stdin if they differ. True when it changed.
replace_if_changed() {
  local target=$1 temp
  temp=$(mktemp)
  cat >"$temp"
  if [[ -f $target ]] && cmp -s "$temp" "$target"; then
    rm -f "$temp"
    return 1
  fi
  install -D -m 0644 "$temp" "$target"
  rm -f "$temp"
}

interface_with_mac() {
  local dev
  for dev in /sys/class/net/*; do
    [[ -f $dev/address ]] || continue
    if [[ $(<"$dev/address") == "$1" ]]; then
      basename "$dev"
      return 0
    fi
  done
  return 1
}

# The lines of ifupdown's `up` commands that add this NIC's routes of one family.
route_commands() {
  local nic=$1 family=$2 dev to via
  while IFS=$'\t' read -r dev to via; do
    [[ $dev == "$nic" ]] || continue
    if [[ $family == 6 && $to == *:* ]]; then
      echo "    up ip -6 route replace $to via $via dev $nic"
    elif [[ $family == 4 && $to != *:* ]]; then
      echo "    up ip route replace $to via $via dev $nic"
    fi
  done <"$generated/routes.tsv"
}

# ifupdown reads interfaces.d only if the main file says so; the Debian box's does, but check.
if ! grep -Eq '^\s*source(-directory)?\s+/etc/network/interfaces\.d' /etc/network/interfaces; then
  echo 'source /etc/network/interfaces.d/*' >>/etc/network/interfaces
fi

links_changed=false
# fd 3, so that nothing in the loop can read the rest of the list from stdin.
while IFS=$'\t' read -r name mac ipv4 ipv6 <&3; do
  if replace_if_changed "/etc/systemd/network/10-nicpool-$name.link" <<EOF; then
# nicpool lab (vagrant/provision/nics.sh): the NIC with this MAC is $name.
[Match]
MACAddress=$mac

[Link]
Name=$name
EOF
    links_changed=true
  fi

  current=$(interface_with_mac "$mac") || {
    echo "nics.sh: no interface has MAC $mac (planned for $name); is the VM's NIC attached?" >&2
    exit 1
  }
  if [[ $current != "$name" ]]; then
    ip link set dev "$current" down
    ip link set dev "$current" name "$name"
  fi

  if replace_if_changed "/etc/network/interfaces.d/nicpool-$name" <<EOF; then
# nicpool lab (vagrant/provision/nics.sh), from vagrant/.generated: do not edit.
auto $name
iface $name inet static
    address $ipv4
$(route_commands "$name" 4)

iface $name inet6 static
    address $ipv6
    accept_ra 0
    autoconf 0
$(route_commands "$name" 6)
EOF
    # Changed: take it down and up again (a first run finds it down, hence `|| true`).
    ifdown "$name" 2>/dev/null || true
  fi
  ifup "$name"
  echo "nics.sh: $name ($mac) $ipv4 $ipv6"
done 3<"$generated/nics.tsv"

# The initramfs names NICs too; give it the .link files so that it names them the same way.
if $links_changed; then
  update-initramfs -u
fi
