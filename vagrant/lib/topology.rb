# frozen_string_literal: true

# The VM lab's plan, computed from cli/lab/topology.json: the file the netns lab
# (test/support/routing-lab.ts) builds from too. Plain Ruby with its standard library only, no
# Vagrant, so that test/vagrant/vagrantfile.test.ts can check the plan against the topology with
# `ruby -e` and the Vagrantfile only has to turn it into VMs.
#
# Everything that depends on an address is computed here, once: the NICs of every VM (name, MAC,
# addresses), the client's routes, each node's pool file and k3s configuration, and the
# Kubernetes objects (NetworkAttachmentDefinitions, pods). `Plan#write` puts them, ready to use,
# into vagrant/.generated/, where the provisioning scripts read them.

require "ipaddr"
require "json"
require "securerandom"
require "yaml"

module NicpoolLab
  # A topology the lab cannot be built from. The message names the key at fault.
  class TopologyError < StandardError; end

  # The Kubernetes nodes. node1 has the topology's node addresses; every further node has the
  # same addresses plus its index (node2: 192.0.2.2 → 192.0.2.3, 2001:db8::2 → 2001:db8::3).
  NODES = %w[node1 node2].freeze

  # The netns lab's interface names, so that both labs read alike: the router's NIC in subnet A
  # is r-A, the client's NIC is c0. The node NICs are named by the topology (ens-a, …).
  CLIENT_NIC = "c0"

  # A topology pod's eth0 is the cluster network here (see Plan#pods).
  CLUSTER_IFNAME = "eth0"

  NAMESPACE = "nicpool-lab"
  POOL_FILE = "/etc/nicpool/pools.json"
  POD_IMAGE = "busybox:1.36"
  # The TCP port each pod serves on (busybox httpd); vagrant/check.sh connects to it.
  POD_PORT = 7070

  # The k3s join token, made once and kept beside the generated files (never committed).
  def self.k3s_token(dir)
    path = File.join(dir, "k3s-token")
    return File.read(path).strip if File.exist?(path)

    token = SecureRandom.hex(24)
    write_if_changed(path, "#{token}\n")
    token
  end

  # Writes only when the content differs, so that loading the Vagrantfile (which every `vagrant`
  # command does) leaves unchanged files untouched.
  def self.write_if_changed(path, content)
    return if File.exist?(path) && File.read(path) == content

    require "fileutils"
    FileUtils.mkdir_p(File.dirname(path))
    File.write(path, content)
  end

  class Plan
    def self.load(path, **options)
      new(JSON.parse(File.read(path)), **options)
    rescue Errno::ENOENT
      raise TopologyError, "#{path}: no such file (the lab is built from cli/lab/topology.json)"
    rescue JSON::ParserError => e
      raise TopologyError, "#{path}: not valid JSON: #{e.message.lines.first.strip}"
    end

    attr_reader :topology

    # with_router: false is the control case: the NetworkAttachmentDefinitions leave
    # nicpool-router out, so a reply to the client leaves the pod through eth0 and is lost.
    def initialize(topology, with_router: true, k3s_token: "k3s-token")
      @topology = topology
      @with_router = with_router
      @k3s_token = k3s_token
      vms # computes (and so checks) every address now, not halfway through `vagrant up`
      network_attachments
      pods
    end

    # name → { "role", "nics" => [{ name, subnet, network, mac, ipv4, ipv6 }], "routes", … }.
    # Addresses carry their prefix length ("192.0.2.1/24"). Node VMs also have "k3s" (the
    # config.yaml of k3s) and "pools" (the pool file).
    def vms
      @vms ||= begin
        all = { "router" => router, "client" => client }
        NODES.each_with_index { |name, index| all[name] = node(index) }
        all
      end
    end

    # One NetworkAttachmentDefinition per subnet that has a pool: macvlan on the node's NIC in
    # that subnet, nicpool-ipam, nicpool-coordinator, nicpool-router — the netns lab's full chain.
    def network_attachments
      @network_attachments ||= pools.group_by { |pool| pool["subnet"] }.map do |subnet_name, subnet_pools|
        network_attachment(subnet_name, subnet_pools)
      end
    end

    # A topology pod's eth0 is the cluster network here, not macvlan as in the netns lab:
    # Kubernetes gives every pod eth0 from the cluster network (flannel), and Multus adds the
    # other NICs from the pod's k8s.v1.cni.cncf.io/networks annotation. Pods are placed on the
    # nodes in turn, so that every node's share of the pools is used.
    def pods
      @pods ||= topology_list("pods").each_with_index.map do |pod, index|
        where = "pods[#{index}]"
        attachments = fetch(pod, "nics", where).reject { |ifname, _| ifname == CLUSTER_IFNAME }.map do |ifname, subnet_name|
          unless pools.any? { |pool| pool["subnet"] == subnet_name }
            raise TopologyError, "#{where}.nics.#{ifname}: subnet #{subnet_name.inspect} has no pool, so no network to attach"
          end
          { "name" => attachment_name(subnet_name), "interface" => ifname }
        end
        pod_manifest(fetch(pod, "name", where), NODES[index % NODES.size], attachments)
      end
    end

    def namespace
      { "apiVersion" => "v1", "kind" => "Namespace", "metadata" => { "name" => NAMESPACE } }
    end

    def to_h
      { "vms" => vms, "networkAttachments" => network_attachments, "pods" => pods }
    end

    # Writes what the provisioning scripts read, into `dir` (vagrant/.generated):
    #   plan.json                   everything below, for people to read
    #   <vm>/nics.tsv               name, MAC, IPv4/prefix, IPv6/prefix     (provision/nics.sh)
    #   <vm>/routes.tsv             device, destination, gateway            (provision/nics.sh)
    #   <node>/pools.json           that node's pool file                   (provision/node.sh)
    #   <node>/k3s-config.yaml      /etc/rancher/k3s/config.yaml            (provision/node.sh)
    #   networks.yaml, pods.yaml    Kubernetes objects                      (provision/workloads.sh)
    def write(dir)
      files = {
        "plan.json" => "#{JSON.pretty_generate(to_h)}\n",
        "networks.yaml" => yaml_documents([namespace, *network_attachments]),
        "pods.yaml" => yaml_documents(pods),
      }
      vms.each do |name, vm|
        files["#{name}/nics.tsv"] = tsv(vm["nics"].map { |nic| nic.values_at("name", "mac", "ipv4", "ipv6") })
        files["#{name}/routes.tsv"] = tsv(vm["routes"].map { |route| route.values_at("dev", "to", "via") })
        next unless vm["k3s"]

        files["#{name}/k3s-config.yaml"] = vm["k3s"].to_yaml
        files["#{name}/pools.json"] = "#{JSON.pretty_generate(vm['pools'])}\n"
      end
      files.each { |path, content| NicpoolLab.write_if_changed(File.join(dir, path), content) }
    end

    private

    # --- the VMs -------------------------------------------------------------------------------

    # One NIC per subnet, holding the subnet's router addresses.
    def router
      nics = subnets.each_key.with_index(1).map do |subnet_name, number|
        subnet = subnet(subnet_name, "subnets.#{subnet_name}")
        nic([1, number], "r-#{subnet_name}", subnet_name, subnet["routerIpv4"], subnet["routerIpv6"], "subnets.#{subnet_name}")
      end
      { "role" => "router", "nics" => nics, "routes" => [] }
    end

    # Its subnet's router is its way to every other subnet. These are routes to the lab's
    # subnets rather than a default route: the default route stays on Vagrant's management NIC,
    # which apt needs and whose DHCP lease would put its own default back anyway.
    def client
      client = fetch(topology, "client", "topology")
      subnet_name = fetch(client, "subnet", "client")
      gateway = subnet(subnet_name, "client.subnet")
      routes = subnets.reject { |name, _| name == subnet_name }.flat_map do |_, other|
        [
          { "dev" => CLIENT_NIC, "to" => other["ipv4"], "via" => gateway["routerIpv4"] },
          { "dev" => CLIENT_NIC, "to" => other["ipv6"], "via" => gateway["routerIpv6"] },
        ]
      end
      nic = nic([2, 1], CLIENT_NIC, subnet_name, fetch(client, "ipv4", "client"), fetch(client, "ipv6", "client"), "client")
      { "role" => "client", "nics" => [nic], "routes" => routes }
    end

    def node(index)
      nics = node_nics.each_with_index.map do |topology_nic, nic_index|
        where = "node.nics[#{nic_index}]"
        subnet_name = fetch(topology_nic, "subnet", where)
        ipv4 = node_address(fetch(topology_nic, "ipv4", where), index, subnet_name, "#{where}.ipv4")
        ipv6 = node_address(fetch(topology_nic, "ipv6", where), index, subnet_name, "#{where}.ipv6")
        nic([3 + index, nic_index + 1], fetch(topology_nic, "name", where), subnet_name, ipv4, ipv6, where)
      end
      {
        "role" => index.zero? ? "k3s server" : "k3s agent",
        "nics" => nics,
        "routes" => [],
        "k3s" => k3s_config(index, nics.first),
        "pools" => pool_file(index),
      }
    end

    # The NIC's MAC is fixed (02:6e:70 = locally administered, "np"; then VM number and NIC
    # number), so that the VM finds the NIC by MAC and names it, whatever the provider called it.
    def nic(numbers, name, subnet_name, ipv4, ipv6, where)
      subnet = subnet(subnet_name, "#{where}.subnet")
      {
        "name" => name,
        "subnet" => subnet_name,
        "network" => "nicpool-lab-#{subnet_name}",
        "mac" => format("02:6e:70:00:%02x:%02x", *numbers),
        "ipv4" => "#{inside(ipv4, subnet['ipv4'], "#{where}.ipv4")}/#{prefix(subnet['ipv4'])}",
        "ipv6" => "#{inside(ipv6, subnet['ipv6'], "#{where}.ipv6")}/#{prefix(subnet['ipv6'])}",
      }
    end

    # node1 keeps the topology's address; node N adds N - 1 to it, and the result must still be
    # a free address of the subnet: not the router's, the client's, another node NIC's, nor in a
    # pool range.
    def node_address(address, index, subnet_name, where)
      return address if index.zero?

      derived = offset(address, index, where)
      cidr = subnet(subnet_name, where)[IPAddr.new(derived).ipv4? ? "ipv4" : "ipv6"]
      taken = taken_addresses[canonical(derived)]
      pool = pool_containing(derived)
      problem = if !IPAddr.new(cidr).include?(IPAddr.new(derived)) then "is outside subnet #{cidr}"
                elsif taken then "is already #{taken}"
                elsif pool then "lies in pool #{pool}"
                end
      return derived unless problem

      raise TopologyError, "#{where}: #{NODES[index]} would get #{address} + #{index} = #{derived}, which #{problem}; " \
                           "the #{NODES.size} nodes need #{NODES.size} consecutive free addresses from each node NIC address"
    end

    # --- Kubernetes --------------------------------------------------------------------------

    # The cluster network (k3s's API and flannel's VXLAN) runs over the node's first topology NIC.
    # The Service CIDR is the topology's IPv4 one and the cluster DNS its IPv4 Service IP, so
    # the addresses the netns lab puts on the node as "Service IPs" are real Services here.
    def k3s_config(index, cluster_nic)
      config = { "node-ip" => cluster_nic["ipv4"].split("/").first, "flannel-iface" => cluster_nic["name"], "token" => @k3s_token }
      unless index.zero?
        # node1 keeps the topology's addresses, so its API server is at the first node NIC's IPv4.
        return config.merge("server" => "https://#{fetch(node_nics.first, 'ipv4', 'node.nics[0]')}:6443")
      end

      config.merge(
        "service-cidr" => service_cidr,
        "cluster-dns" => service_ip,
        "disable" => %w[traefik servicelb metrics-server],
        "write-kubeconfig-mode" => "0644",
      )
    end

    def service_cidr
      cidrs = fetch(fetch(topology, "node", "topology"), "serviceCidrs", "node")
      cidr = cidrs.find { |text| IPAddr.new(text).ipv4? } or
        raise TopologyError, "node.serviceCidrs: no IPv4 CIDR for the cluster's Services"
      cidr
    end

    def service_ip
      ip = fetch(fetch(fetch(topology, "node", "topology"), "serviceIps", "node"), "ipv4", "node.serviceIps")
      inside(ip, service_cidr, "node.serviceIps.ipv4")
    end

    def network_attachment(subnet_name, subnet_pools)
      where = "pools (subnet #{subnet_name})"
      master = node_nics.find { |nic| nic["subnet"] == subnet_name } or
        raise TopologyError, "#{where}: the node has no NIC in subnet #{subnet_name} to be the macvlan master"
      name = attachment_name(subnet_name)
      plugins = [
        {
          "type" => "macvlan", "master" => master["name"], "mode" => "bridge",
          "ipam" => {
            "type" => "nicpool-ipam",
            "poolFile" => POOL_FILE,
            "defaultIPv4Pools" => subnet_pools.map { |pool| "#{pool['name']}-v4" },
            "defaultIPv6Pools" => subnet_pools.map { |pool| "#{pool['name']}-v6" },
          },
        },
        { "type" => "nicpool-coordinator", "serviceCidrs" => fetch(fetch(topology, "node", "topology"), "serviceCidrs", "node") },
      ]
      plugins << { "type" => "nicpool-router" } if @with_router
      conflist = { "cniVersion" => "1.0.0", "name" => name, "plugins" => plugins }
      {
        "apiVersion" => "k8s.cni.cncf.io/v1",
        "kind" => "NetworkAttachmentDefinition",
        "metadata" => { "name" => name, "namespace" => NAMESPACE },
        "spec" => { "config" => JSON.generate(conflist) },
      }
    end

    # The netns lab's network names: underlay-a, underlay-b, …
    def attachment_name(subnet_name)
      "underlay-#{subnet_name.downcase}"
    end

    # busybox httpd answers GET / with the pod's name, on every address of every NIC.
    def pod_manifest(name, node_name, attachments)
      {
        "apiVersion" => "v1",
        "kind" => "Pod",
        "metadata" => {
          "name" => name,
          "namespace" => NAMESPACE,
          "labels" => { "app.kubernetes.io/part-of" => NAMESPACE },
          "annotations" => { "k8s.v1.cni.cncf.io/networks" => JSON.generate(attachments) },
        },
        "spec" => {
          "nodeSelector" => { "kubernetes.io/hostname" => node_name },
          "terminationGracePeriodSeconds" => 1,
          "containers" => [{
            "name" => "web",
            "image" => POD_IMAGE,
            "command" => ["sh", "-c", "mkdir -p /www && echo \"$POD_NAME\" > /www/index.html && exec httpd -f -p #{POD_PORT} -h /www"],
            "env" => [{ "name" => "POD_NAME", "valueFrom" => { "fieldRef" => { "fieldPath" => "metadata.name" } } }],
            "ports" => [{ "containerPort" => POD_PORT }],
            "readinessProbe" => { "tcpSocket" => { "port" => POD_PORT }, "periodSeconds" => 2 },
          }],
        },
      }
    end

    # --- pools ---------------------------------------------------------------------------------

    def pools
      topology_list("pools")
    end

    # The pool file of node `index`. Each node keeps its own local store (design §4), so two
    # nodes drawing from the same range would hand out the same address twice: every node gets a
    # disjoint share of each pool range instead, node1 the lower half and node2 the upper half.
    # Pool names follow the netns lab: <pool>-v4 and <pool>-v6, with the router as gateway.
    def pool_file(index)
      pools.each_with_index.flat_map do |pool, pool_index|
        where = "pools[#{pool_index}]"
        subnet = subnet(fetch(pool, "subnet", where), "#{where}.subnet")
        [[4, "ipv4"], [6, "ipv6"]].map do |version, family|
          range = fetch(pool, "#{family}Range", where)
          {
            "apiVersion" => "nicpool.io/v1",
            "kind" => "IPPool",
            "metadata" => { "name" => "#{fetch(pool, 'name', where)}-v#{version}" },
            "spec" => {
              "ipVersion" => version,
              "subnet" => subnet[family],
              "ips" => [share(range, index, subnet[family], "#{where}.#{family}Range")],
              "gateway" => subnet["router#{family.capitalize}"],
            },
          }
        end
      end
    end

    # Node `index`'s share of "first-last": the range cut into NODES.size consecutive parts.
    def share(range, index, cidr, where)
      first, last = range_bounds(range, cidr, where)
      size = last.to_i - first.to_i + 1
      raise TopologyError, "#{where}: #{range} has #{size} address(es), fewer than the #{NODES.size} nodes sharing it" if size < NODES.size

      base, extra = size.divmod(NODES.size)
      start = first.to_i + (index * base) + [index, extra].min
      length = base + (index < extra ? 1 : 0)
      "#{IPAddr.new(start, first.family)}-#{IPAddr.new(start + length - 1, first.family)}"
    end

    def range_bounds(range, cidr, where)
      parts = range.to_s.split("-")
      raise TopologyError, "#{where}: #{range.inspect} is not a range \"first-last\"" unless parts.size == 2

      first, last = parts.map { |text| IPAddr.new(inside(text.strip, cidr, where)) }
      raise TopologyError, "#{where}: #{range} ends before it starts" if last.to_i < first.to_i

      [first, last]
    end

    # "pool subnet-b" when the address lies in one of the topology's pool ranges.
    def pool_containing(address)
      ip = IPAddr.new(address)
      pools.each do |pool|
        %w[ipv4Range ipv6Range].each do |key|
          first, last = pool[key].to_s.split("-").map { |text| IPAddr.new(text.strip) rescue nil }
          next unless first && last && first.family == ip.family

          return "#{pool['name']} (#{pool[key]})" if ip.to_i.between?(first.to_i, last.to_i)
        end
      end
      nil
    end

    # --- the topology's addresses ---------------------------------------------------------------

    # Every address the topology gives a machine, canonical form → whose it is.
    def taken_addresses
      @taken_addresses ||= begin
        taken = {}
        subnets.each do |name, subnet|
          taken[canonical(subnet["routerIpv4"])] = "the router's (subnet #{name})"
          taken[canonical(subnet["routerIpv6"])] = "the router's (subnet #{name})"
        end
        client = topology["client"] || {}
        %w[ipv4 ipv6].each { |family| taken[canonical(client[family])] = "the client's" if client[family] }
        node_nics.each do |nic|
          %w[ipv4 ipv6].each { |family| taken[canonical(nic[family])] = "node1's #{nic['name']}" if nic[family] }
        end
        taken
      end
    end

    def subnets
      @subnets ||= begin
        subnets = fetch(topology, "subnets", "topology")
        raise TopologyError, "subnets: expected an object of subnet name → subnet" unless subnets.is_a?(Hash) && !subnets.empty?

        subnets
      end
    end

    def subnet(name, where)
      subnet = subnets[name] or raise TopologyError, "#{where}: no subnet #{name.inspect} in subnets (#{subnets.keys.join(', ')})"
      %w[ipv4 ipv6 routerIpv4 routerIpv6].each { |key| fetch(subnet, key, "subnets.#{name}") }
      subnet
    end

    def node_nics
      @node_nics ||= begin
        nics = fetch(fetch(topology, "node", "topology"), "nics", "node")
        raise TopologyError, "node.nics: expected at least one NIC" unless nics.is_a?(Array) && !nics.empty?

        nics
      end
    end

    def topology_list(key)
      list = fetch(topology, key, "topology")
      raise TopologyError, "#{key}: expected a list" unless list.is_a?(Array)

      list
    end

    def fetch(hash, key, where)
      raise TopologyError, "#{where}: expected an object" unless hash.is_a?(Hash)

      hash.fetch(key) { raise TopologyError, "#{where}.#{key}: missing" }
    end

    # --- IP arithmetic -------------------------------------------------------------------------

    def inside(address, cidr, where)
      ip = parse_ip(address, where)
      raise TopologyError, "#{where}: #{address} is outside subnet #{cidr}" unless IPAddr.new(cidr).include?(ip)

      address
    end

    def offset(address, by, where)
      ip = parse_ip(address, where)
      IPAddr.new(ip.to_i + by, ip.family).to_s
    end

    def canonical(address)
      IPAddr.new(address).to_s
    end

    def prefix(cidr)
      cidr.split("/").fetch(1) { raise TopologyError, "#{cidr}: not a CIDR" }
    end

    def parse_ip(address, where)
      IPAddr.new(address.to_s)
    rescue IPAddr::InvalidAddressError
      raise TopologyError, "#{where}: #{address.inspect} is not an IPv4 or IPv6 address"
    end

    # --- output --------------------------------------------------------------------------------

    def yaml_documents(objects)
      objects.map(&:to_yaml).join
    end

    def tsv(rows)
      rows.map { |row| "#{row.join("\t")}\n" }.join
    end
  end
end
