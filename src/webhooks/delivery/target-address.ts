import { promises as dns, type LookupAddress } from 'node:dns';
import { BlockList, isIP, isIPv4 } from 'node:net';
import { WebhookTargetError } from './webhook-target.error.js';

// Addresses a webhook must not reach: a tenant admin chooses the URL, and the service sits inside
// a network (its database, the cloud metadata endpoint) that the tenant must not be able to probe.
const forbidden = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network": 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT, shared with the provider's own network
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including the metadata endpoint 169.254.169.254
  ['172.16.0.0', 12], // private (RFC 1918)
  ['192.0.0.0', 24], // IETF protocol assignments (NAT64 discovery, DS-Lite)
  ['192.0.2.0', 24], // TEST-NET-1: documentation, never a real receiver
  ['192.88.99.0', 24], // the deprecated 6to4 relay anycast
  ['192.168.0.0', 16], // private (RFC 1918)
  ['198.18.0.0', 15], // benchmarking networks
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast: not a host
  ['240.0.0.0', 4], // reserved, and the broadcast address 255.255.255.255
] as const) {
  forbidden.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified: reaches the local host, like 0.0.0.0
  ['::1', 128], // loopback
  // The deprecated IPv4-compatible form (::a.b.c.d, RFC 4291): no real receiver uses it, and how
  // a host routes it is not worth finding out.
  ['::', 96],
  ['fc00::', 7], // unique local (the private ranges of IPv6), including AWS's metadata fd00:ec2::254
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['2001:db8::', 32], // documentation
  ['100::', 64], // discard-only
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215): private by definition, the IPv4 part is not at a fixed place
] as const) {
  forbidden.addSubnet(network, prefix, 'ipv6');
}

/**
 * Whether a webhook may not connect to `ip` (an IPv4 or IPv6 address, as DNS or a URL gives it).
 * IPv6 forms that carry an IPv4 address (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4
 * 2002::/16) reach that IPv4 address, so that address decides. Anything that is not an IP
 * address is forbidden: the caller should not be connecting to it.
 */
export function isForbiddenAddress(ip: string): boolean {
  const address = ip.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) says which interface, not which host
  if (isIPv4(address)) return forbidden.check(address, 'ipv4');
  if (isIP(address) !== 6) return true;
  if (forbidden.check(address, 'ipv6')) return true;
  const embedded = embeddedIPv4(ipv6Groups(address));
  return embedded !== null && forbidden.check(embedded, 'ipv4');
}

/** The IPv4 address an IPv4-mapped, NAT64 or 6to4 address stands for, or null for other IPv6 addresses. */
function embeddedIPv4(groups: number[]): string | null {
  const isMapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  const isNat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0);
  if (isMapped || isNat64) return ipv4Of(groups[6], groups[7]);
  if (groups[0] === 0x2002) return ipv4Of(groups[1], groups[2]);
  return null;
}

function ipv4Of(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted IPv4 part split in two). */
function ipv6Groups(address: string): number[] {
  const parse = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a, b, c, d] = group.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head, tail] = address.split('::');
  if (tail === undefined) return parse(head);
  const left = parse(head);
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

export interface WebhookUrlOptions {
  allowHttp: boolean;
  allowPrivateTargets: boolean;
}

const MAX_URL_LENGTH = 2048;

/** The URL of a new subscription, parsed, or the WebhookTargetError that says what is wrong with it. */
export function checkWebhookUrl(raw: string, options: WebhookUrlOptions): URL {
  if (raw.length > MAX_URL_LENGTH) throw new WebhookTargetError(`The webhook URL must be at most ${MAX_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetError('The webhook URL must be an absolute URL, such as https://example.com/hooks.');
  }
  if (url.protocol !== 'https:' && !(options.allowHttp && url.protocol === 'http:')) {
    throw new WebhookTargetError(options.allowHttp ? 'The webhook URL must use https or http.' : 'The webhook URL must use https.');
  }
  if (url.username !== '' || url.password !== '') {
    throw new WebhookTargetError('The webhook URL must not contain a user name or password; deliveries are signed instead.');
  }
  // An empty fragment ("https://a/#") leaves url.hash empty, but the serialised URL keeps the "#".
  if (url.href.includes('#')) throw new WebhookTargetError('The webhook URL must not contain a fragment (#).');
  if (!options.allowPrivateTargets) {
    // The WHATWG parser has already turned 2130706433 or 0x7f.1 into 127.0.0.1 here.
    const host = bareHost(url.hostname);
    if (isIP(host) !== 0 && isForbiddenAddress(host)) {
      throw new WebhookTargetError('The webhook URL must not point to a loopback, private, link-local or reserved address.');
    }
    const name = host.replace(/\.$/, '');
    if (name === 'localhost' || name.endsWith('.localhost')) {
      throw new WebhookTargetError('The webhook URL must not point to localhost.');
    }
  }
  return url;
}

/** The function that resolves a name to all its addresses: dns.promises.lookup, or a stand-in in tests. */
export type LookupAll = (hostname: string, options: { all: true }) => Promise<LookupAddress[]>;

export interface DeliveryAddress {
  address: string;
  family: 4 | 6;
}

/**
 * The address a delivery to `hostname` (a URL's hostname) connects to, checked at this moment:
 * a name that resolves to any forbidden address is refused, since a connection may use any of
 * them. IP literals are checked without DNS. DNS failures are thrown as the resolver reports them.
 */
export async function resolveDeliveryAddress(
  hostname: string,
  allowPrivateTargets: boolean,
  lookup: LookupAll = dns.lookup,
): Promise<DeliveryAddress> {
  const host = bareHost(hostname);
  const family = isIP(host);
  if (family === 4 || family === 6) {
    if (!allowPrivateTargets && isForbiddenAddress(host)) {
      throw new WebhookTargetError('The webhook target is a loopback, private, link-local or reserved address.');
    }
    return { address: host, family };
  }
  const addresses = await lookup(host, { all: true });
  if (addresses.length === 0) throw new WebhookTargetError(`The webhook host "${host}" has no address.`);
  // The message names no address: it would tell a tenant how our own network resolves names.
  if (!allowPrivateTargets && addresses.some(({ address }) => isForbiddenAddress(address))) {
    throw new WebhookTargetError(`The webhook host "${host}" resolves to a loopback, private, link-local or reserved address.`);
  }
  const [first] = addresses;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** A URL's hostname without the brackets of an IPv6 literal. */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
