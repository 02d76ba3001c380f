import { BlockList, isIPv4 } from 'node:net';

/** Where a webhook must not reach unless private networks are allowed: the service's own host and its neighbours. */
const privateRanges = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // unspecified, "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  privateRanges.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
] as const)
  privateRanges.addSubnet(network, prefix, 'ipv6');

const mappedIpv4 = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i;

/** Whether an address (as dns.lookup answers) is loopback, private, link-local, unspecified or CGNAT. */
export function isPrivateAddress(address: string): boolean {
  if (isIPv4(address)) return privateRanges.check(address, 'ipv4');
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1, ::ffff:7f00:1) reaches the IPv4 host.
  const mapped = mappedIpv4.exec(address);
  if (mapped) {
    const [, dotted, high, low] = mapped;
    const word = (hex: string) => Number.parseInt(hex, 16);
    const ipv4 = dotted ?? [word(high!) >> 8, word(high!) & 255, word(low!) >> 8, word(low!) & 255].join('.');
    return privateRanges.check(ipv4, 'ipv4');
  }
  return privateRanges.check(address, 'ipv6');
}
