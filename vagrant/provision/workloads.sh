#!/usr/bin/env bash
# Deploys the lab's workloads from the k3s server (node1), once every node has joined: the
# NetworkAttachmentDefinitions (one per pool subnet: macvlan on the node's NIC in that subnet +
# nicpool-ipam + nicpool-coordinator + nicpool-router) and the topology's pods, then prints the
# addresses each pod got. Pods are deleted and created again, so that a changed
# NetworkAttachmentDefinition (the control case, README) applies to them.
# Usage: workloads.sh <generated dir> <node>…
set -euo pipefail
generated=${1:?usage: workloads.sh <generated dir> <node>...}
shift
nodes=("$@")
namespace=nicpool-lab
export KUBECONFIG=/etc/rancher/k3s/k3s.yaml

step() { printf '\n== workloads.sh: %s\n' "$*"; }

# The repository is rsynced to /nicpool before any provisioner runs.
wait_label=workloads.sh
# shellcheck source=wait-for.sh
source /nicpool/vagrant/provision/wait-for.sh

diagnose() {
  echo "workloads.sh: the pods did not become ready; what Kubernetes says:" >&2
  kubectl -n "$namespace" get pods -o wide >&2 || true
  kubectl -n "$namespace" describe pods >&2 || true
  kubectl -n kube-system logs daemonset/kube-multus-ds --tail=50 >&2 || true
}

step "waiting for the nodes: ${nodes[*]}"
for node in "${nodes[@]}"; do
  # A node that never joins is a node whose provisioning failed: `vagrant provision <node>`.
  wait_for 1200 kubectl get node "$node"
  kubectl wait --for=condition=Ready "node/$node" --timeout=10m
done
kubectl -n kube-system rollout status daemonset/kube-multus-ds --timeout=10m

step "NetworkAttachmentDefinitions"
kubectl apply -f "$generated/networks.yaml"

step "pods"
kubectl delete -f "$generated/pods.yaml" --ignore-not-found --wait=true
kubectl apply -f "$generated/pods.yaml"
if ! kubectl -n "$namespace" wait --for=condition=Ready pod --all --timeout=10m; then
  diagnose
  exit 1
fi
kubectl -n "$namespace" get pods -o wide

step "the pods' underlay addresses (what vagrant/check.sh tests from the client)"
bash /nicpool/vagrant/provision/pod-addresses.sh |
  awk -F '\t' 'BEGIN { printf "%-8s %-7s %-5s %-24s %s\n", "pod", "node", "NIC", "network", "address" }
               { printf "%-8s %-7s %-5s %-24s %s\n", $1, $2, $3, $4, $5 }'
