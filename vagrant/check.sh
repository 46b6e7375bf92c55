#!/usr/bin/env bash
# Run on the host, in vagrant/, after `vagrant up`: from the client in subnet C, ping every
# address the pods got on their Multus NICs (subnets B and D in the topology) and fetch a page
# from each pod over TCP (busybox httpd on port 7070 answers with the pod's name). The client
# reaches those addresses only through the router, which drops a reply that leaves the pod
# through another NIC (strict rp_filter) — so ✓ means nicpool-router sent the reply back out of
# the NIC the request came in on. Prints a table like the netns lab's; exits 1 on any ✗.
# The pods' eth0 addresses are the cluster network (flannel), which the client has no route to.
#
# Works with the bash 3.2 of macOS hosts (no mapfile, no associative arrays).
set -euo pipefail
cd "$(dirname "$0")"
port=7070

# A command on a VM, without a tty (clean output) and without stdin (so that it cannot eat the
# list this script is reading).
on() {
  local vm=$1
  shift
  vagrant ssh "$vm" --no-tty -c "$*" </dev/null 2>/dev/null | tr -d '\r'
}

echo "check.sh: reading the pods' addresses on node1…" >&2
rows=$(on node1 "bash /nicpool/vagrant/provision/pod-addresses.sh" | awk -F '\t' 'NF == 5') || true
if [[ -z $rows ]]; then
  echo "check.sh: no pod addresses from node1: is the lab up (vagrant status) and did the workloads step succeed?" >&2
  exit 1
fi

header=(pod node NIC network address)
cells=() # the five columns of every row, row after row
marks=() # the ping and TCP marks of every row
passed=0
failed=0
pings() { on client "ping -c 3 -W 2 -q $1" >/dev/null; }
# The page must come back, and be this pod's.
fetches() { [[ $(on client "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $1 $port" || true) == *"$2"* ]]; }
mark() { if "$@"; then printf '✓'; else printf '✗'; fi; }

while IFS=$'\t' read -r pod node nic network address; do
  echo "check.sh: $pod $nic $address" >&2
  cells+=("$pod" "$node" "$nic" "$network" "$address")
  ping_mark=$(mark pings "$address")
  tcp_mark=$(mark fetches "$address" "$pod")
  marks+=("$ping_mark     $tcp_mark") # under "ping  TCP"
  for m in "$ping_mark" "$tcp_mark"; do
    if [[ $m == ✓ ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
done <<<"$rows"

widths=()
for column in 0 1 2 3 4; do
  width=${#header[column]}
  for ((i = column; i < ${#cells[@]}; i += 5)); do
    if ((${#cells[i]} > width)); then width=${#cells[i]}; fi
  done
  widths+=("$width")
done
line() { printf '%-*s  %-*s  %-*s  %-*s  %-*s  %s\n' "${widths[0]}" "$1" "${widths[1]}" "$2" "${widths[2]}" "$3" "${widths[3]}" "$4" "${widths[4]}" "$5" "$6"; }
dashes() { printf '%*s' "$1" '' | tr ' ' -; }

echo
line "${header[@]}" "ping  TCP"
line "$(dashes "${widths[0]}")" "$(dashes "${widths[1]}")" "$(dashes "${widths[2]}")" "$(dashes "${widths[3]}")" "$(dashes "${widths[4]}")" "----  ---"
for ((row = 0; row < ${#marks[@]}; row++)); do
  i=$((row * 5))
  line "${cells[i]}" "${cells[i + 1]}" "${cells[i + 2]}" "${cells[i + 3]}" "${cells[i + 4]}" "${marks[row]}"
done
echo
echo "$passed passed, $failed failed"
((failed == 0))
