// The routing lab demo: the topology of cli/lab/topology.json, its pods attached through the
// full chain, plus a control pod without nicpool-router, and every path probed.
import { pings, tcpExchange } from '../../test/support/probes.ts';
import { buildRoutingLab, type ChainOptions, type PodAttachment, type RoutingLab } from '../../test/support/routing-lab.ts';
import { ipIn, type Lab } from '../../test/support/netns.ts';
import { tableFor } from '../../routing/plan/table-for.ts';

export interface RoutingRow {
  pod: string;
  nic: string;
  address: string;
  table: string;
  clientToPod: boolean;
  nodeToPod: boolean;
  podToNode: boolean;
  podToService: boolean;
}

export async function runRoutingDemo(lab: Lab): Promise<RoutingRow[]> {
  const routing = await buildRoutingLab(lab);
  const { topology } = routing;
  const coordinator = { serviceCidrs: topology.node.serviceCidrs };
  const rows: RoutingRow[] = [];
  for (const pod of topology.pods) {
    rows.push(...(await probePod(routing, await routing.attach(pod.name, pod.nics, { coordinator }), true)));
  }
  const control = { coordinator, router: false } satisfies ChainOptions;
  const controlPod = await routing.attach('control-0', { eth0: 'A', net1: 'B' }, control);
  // Without nicpool-router a pod has one default route, through eth0, as with host-local alone.
  const subnetA = topology.subnets.A!;
  await ipIn(controlPod.netns.name, ['-4', 'route', 'add', 'default', 'via', subnetA.routerIpv4, 'dev', 'eth0']);
  await ipIn(controlPod.netns.name, ['-6', 'route', 'add', 'default', 'via', subnetA.routerIpv6, 'dev', 'eth0']);
  rows.push(...(await probePod(routing, controlPod, false)));
  return rows;
}

async function probePod(routing: RoutingLab, pod: PodAttachment, withRouter: boolean): Promise<RoutingRow[]> {
  const { topology } = routing;
  const rows: RoutingRow[] = [];
  for (const [nic, subnet] of Object.entries(pod.nics)) {
    const nodeNic = topology.node.nics.find((candidate) => candidate.subnet === subnet);
    for (const family of ['ipv4', 'ipv6'] as const) {
      const address = pod.addresses[nic]![family];
      rows.push({
        pod: withRouter ? pod.name : `${pod.name} (no router)`,
        nic,
        address,
        table: nic === 'eth0' ? 'main' : withRouter ? String(tableFor(nic, 100)) : '-',
        clientToPod: await pings(routing.client.name, address),
        nodeToPod: await pings(routing.node.name, address),
        podToNode: nodeNic ? await tcpExchange(routing.node.name, pod.netns.name, nodeNic[family]) : false,
        podToService: await tcpExchange(routing.node.name, pod.netns.name, topology.node.serviceIps[family]),
      });
    }
  }
  return rows;
}
