#!/usr/bin/env bash
# Prints every address the lab's pods got on their Multus NICs, one per line, tab-separated:
#   pod  node  NIC  network  address
# read from the k8s.v1.cni.cncf.io/network-status annotation that Multus writes from the
# chains' results. The cluster network's entry (eth0, "default": true) is left out: the client
# has no route to it. Runs on the k3s server (node1); vagrant/check.sh calls it over vagrant ssh.
set -euo pipefail
export KUBECONFIG=/etc/rancher/k3s/k3s.yaml

kubectl -n nicpool-lab get pods -o json | jq -r '
  .items[]
  | .metadata.name as $pod
  | .spec.nodeName as $node
  | (.metadata.annotations["k8s.v1.cni.cncf.io/network-status"] // "[]" | fromjson)[]
  | select(.default != true)
  | .interface as $nic
  | (.name | split("/") | last) as $network
  | (.ips // [])[]
  | [$pod, $node, $nic, $network, .]
  | @tsv'
