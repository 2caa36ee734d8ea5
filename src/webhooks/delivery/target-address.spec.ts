import type { LookupAddress } from 'node:dns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isForbiddenAddress, resolveDeliveryAddress } from './target-address.js';
import { WebhookTargetError } from './webhook-target.error.js';

describe('isForbiddenAddress', () => {
  it.each([
    ['0.0.0.0', '0.255.255.255'],
    ['10.0.0.0', '10.255.255.255'],
    ['100.64.0.0', '100.127.255.255'],
    ['127.0.0.0', '127.255.255.255'],
    ['169.254.0.0', '169.254.255.255'],
    ['172.16.0.0', '172.31.255.255'],
    ['192.0.0.0', '192.0.0.255'],
    ['192.0.2.0', '192.0.2.255'],
    ['192.88.99.0', '192.88.99.255'],
    ['192.168.0.0', '192.168.255.255'],
    ['198.18.0.0', '198.19.255.255'],
    ['198.51.100.0', '198.51.100.255'],
    ['203.0.113.0', '203.0.113.255'],
    ['224.0.0.0', '239.255.255.255'],
    ['240.0.0.0', '255.255.255.255'],
  ])('forbids the IPv4 range %s to %s', (first, last) => {
    expect(isForbiddenAddress(first)).toBe(true);
    expect(isForbiddenAddress(last)).toBe(true);
  });

  it('forbids the addresses an attacker would aim at', () => {
    for (const ip of ['127.0.0.1', '169.254.169.254', '10.0.0.1', '192.168.1.1', '172.17.0.1', '100.100.100.200']) {
      expect(isForbiddenAddress(ip), ip).toBe(true);
    }
  });

  it('allows the public neighbours of each IPv4 range', () => {
    for (const ip of [
      '1.0.0.0',
      '9.255.255.255',
      '11.0.0.0',
      '100.63.255.255',
      '100.128.0.0',
      '126.255.255.255',
      '128.0.0.0',
      '169.253.255.255',
      '169.255.0.0',
      '172.15.255.255',
      '172.32.0.0',
      '192.0.1.0',
      '192.0.3.0',
      '192.88.98.255',
      '192.88.100.0',
      '192.167.255.255',
      '192.169.0.0',
      '198.17.255.255',
      '198.20.0.0',
      '198.51.99.255',
      '198.51.101.0',
      '203.0.112.255',
      '203.0.114.0',
      '223.255.255.255',
      '8.8.8.8',
      '93.184.215.14',
    ]) {
      expect(isForbiddenAddress(ip), ip).toBe(false);
    }
  });

  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::2', 'IPv4-compatible (deprecated)'],
    ['::127.0.0.1', 'IPv4-compatible (deprecated)'],
    ['::8.8.8.8', 'IPv4-compatible (deprecated)'],
    ['fc00::', 'unique local'],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unique local'],
    ['fd00:ec2::254', "AWS's metadata endpoint"],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with a zone id'],
    ['FE80::1', 'link-local in capitals'],
    ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'link-local'],
    ['ff00::', 'multicast'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'],
    ['100::', 'discard-only'],
    ['100::ffff:ffff:ffff:ffff', 'discard-only'],
    ['64:ff9b:1::1', 'local-use NAT64'],
  ])('forbids the IPv6 address %s (%s)', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it('allows public IPv6 addresses and the neighbours of the IPv6 ranges', () => {
    for (const ip of [
      '2606:4700:4700::1111',
      '2001:4860:4860::8888',
      'fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      '2001:db9::',
      '100:0:0:1::',
      'fec0::1',
    ]) {
      expect(isForbiddenAddress(ip), ip).toBe(false);
    }
  });

  it.each([
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::FFFF:7F00:1', true],
    ['::ffff:169.254.169.254', true],
    ['0:0:0:0:0:ffff:a00:1', true],
    ['::ffff:8.8.8.8', false],
    ['64:ff9b::127.0.0.1', true],
    ['64:ff9b::a9fe:a9fe', true],
    ['64:ff9b::808:808', false],
    ['2002:7f00:1::', true],
    ['2002:a9fe:a9fe:1234::1', true],
    ['2002:c0a8:101::', true],
    ['2002:808:808::1', false],
  ])('judges %s by the IPv4 address it carries (forbidden: %s)', (ip, forbidden) => {
    expect(isForbiddenAddress(ip)).toBe(forbidden);
  });

  it('forbids what is not an IP address at all', () => {
    for (const value of ['', 'example.com', '1.2.3', '256.0.0.1', '[::1]', '::g']) {
      expect(isForbiddenAddress(value), value).toBe(true);
    }
  });
});

describe('isForbiddenAddress, properties', () => {
  // The ranges again, as numbers: an oracle that shares no code with the BlockList.
  const ranges: Array<[string, number]> = [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ];
  const toNumber = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const toIp = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  const inRange = (n: number, [network, prefix]: [string, number]) =>
    Math.floor(n / 2 ** (32 - prefix)) === Math.floor(toNumber(network) / 2 ** (32 - prefix));
  const hex = (n: number) => `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;

  const privateIp = fc
    .constantFrom(...ranges)
    .chain(([network, prefix]) => fc.integer({ min: 0, max: 2 ** (32 - prefix) - 1 }).map((offset) => toIp(toNumber(network) + offset)));
  const publicNumber = fc.integer({ min: 0, max: 2 ** 32 - 1 }).filter((n) => !ranges.some((range) => inRange(n, range)));

  it('forbids every address in a private or reserved IPv4 range, in every IPv6 form that carries it', () => {
    fc.assert(
      fc.property(privateIp, (ip) => {
        const n = toNumber(ip);
        expect(isForbiddenAddress(ip)).toBe(true);
        expect(isForbiddenAddress(`::ffff:${ip}`)).toBe(true);
        expect(isForbiddenAddress(`64:ff9b::${hex(n)}`)).toBe(true);
        expect(isForbiddenAddress(`2002:${hex(n)}::1`)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('allows every other IPv4 address, in every IPv6 form that carries it', () => {
    fc.assert(
      fc.property(publicNumber, (n) => {
        const ip = toIp(n);
        expect(isForbiddenAddress(ip)).toBe(false);
        expect(isForbiddenAddress(`::ffff:${ip}`)).toBe(false);
        expect(isForbiddenAddress(`64:ff9b::${hex(n)}`)).toBe(false);
        expect(isForbiddenAddress(`2002:${hex(n)}::1`)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

/** The message of the WebhookTargetError that checking `raw` throws. */
function refusal(raw: string, options = { allowHttp: false, allowPrivateTargets: false }): string {
  try {
    checkWebhookUrl(raw, options);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookTargetError);
    return (error as WebhookTargetError).message;
  }
  throw new Error(`expected ${raw} to be refused`);
}

describe('checkWebhookUrl', () => {
  const strict = { allowHttp: false, allowPrivateTargets: false };

  it('accepts a public https URL and returns it parsed', () => {
    const url = checkWebhookUrl('https://hooks.example.com:8443/crm/files?tenant=7', strict);
    expect(url.href).toBe('https://hooks.example.com:8443/crm/files?tenant=7');
    expect(checkWebhookUrl('https://93.184.215.14/hook', strict).hostname).toBe('93.184.215.14');
    expect(checkWebhookUrl('https://[2606:4700:4700::1111]/hook', strict).hostname).toBe('[2606:4700:4700::1111]');
  });

  it('refuses what is not an absolute URL', () => {
    for (const raw of ['', 'hooks.example.com/x', '/hooks', 'https://', 'https://exa mple.com/']) {
      expect(refusal(raw), raw).toBe('The webhook URL must be an absolute URL, such as https://example.com/hooks.');
    }
  });

  it('refuses a URL longer than 2048 characters', () => {
    const base = 'https://hooks.example.com/';
    expect(checkWebhookUrl(base + 'a'.repeat(2048 - base.length), strict).href).toHaveLength(2048);
    expect(refusal(base + 'a'.repeat(2049 - base.length))).toBe('The webhook URL must be at most 2048 characters.');
  });

  it('refuses http unless allowed, and every other scheme', () => {
    expect(refusal('http://hooks.example.com/')).toBe('The webhook URL must use https.');
    expect(checkWebhookUrl('http://hooks.example.com/', { ...strict, allowHttp: true }).protocol).toBe('http:');
    for (const raw of ['ftp://hooks.example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'gopher://hooks.example.com/']) {
      expect(refusal(raw), raw).toBe('The webhook URL must use https.');
      expect(refusal(raw, { ...strict, allowHttp: true }), raw).toBe('The webhook URL must use https or http.');
    }
  });

  it('refuses credentials and fragments', () => {
    const credentials = 'The webhook URL must not contain a user name or password; deliveries are signed instead.';
    expect(refusal('https://user:pass@hooks.example.com/')).toBe(credentials);
    expect(refusal('https://user@hooks.example.com/')).toBe(credentials);
    expect(refusal('https://:pass@hooks.example.com/')).toBe(credentials);
    expect(refusal('https://hooks.example.com/#top')).toBe('The webhook URL must not contain a fragment (#).');
    expect(refusal('https://hooks.example.com/#')).toBe('The webhook URL must not contain a fragment (#).');
  });

  it.each([
    'https://127.0.0.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://10.1.2.3:8080/',
    'https://[::1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[fd00:ec2::254]/',
    'https://[64:ff9b::a9fe:a9fe]/',
    'https://2130706433/',
    'https://0x7f.1/',
    'https://0177.0.0.1/',
    'https://127.1/',
    'https://127.0.0.1./',
    'https://0/',
    'https://0xa9fea9fe/',
  ])('refuses %s: a private address, however it is spelt', (raw) => {
    expect(refusal(raw)).toBe('The webhook URL must not point to a loopback, private, link-local or reserved address.');
    expect(checkWebhookUrl(raw, { allowHttp: false, allowPrivateTargets: true }).protocol).toBe('https:');
  });

  it('refuses localhost and its subdomains unless private targets are allowed', () => {
    for (const raw of [
      'https://localhost/',
      'https://LOCALHOST:3000/',
      'https://localhost./',
      'https://api.localhost/',
      'https://a.b.localhost./',
    ]) {
      expect(refusal(raw), raw).toBe('The webhook URL must not point to localhost.');
      expect(checkWebhookUrl(raw, { ...strict, allowPrivateTargets: true }).protocol, raw).toBe('https:');
    }
    expect(checkWebhookUrl('https://localhost.example.com/', strict).hostname).toBe('localhost.example.com');
    expect(checkWebhookUrl('https://notlocalhost/', strict).hostname).toBe('notlocalhost');
  });
});

/** A stand-in for DNS that answers `addresses` for every name and records the names asked. */
function fakeDns(addresses: LookupAddress[]) {
  const asked: string[] = [];
  const lookup = (hostname: string, _options: { all: true }) => {
    asked.push(hostname);
    return Promise.resolve(addresses);
  };
  return { asked, lookup };
}

async function refusalOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(WebhookTargetError);
  return (error as WebhookTargetError).message;
}

describe('resolveDeliveryAddress', () => {
  const publicV4 = { address: '93.184.215.14', family: 4 };
  const publicV6 = { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 };

  it('returns the first address of a name that resolves to public addresses only', async () => {
    const dns = fakeDns([publicV6, publicV4]);
    expect(await resolveDeliveryAddress('hooks.example.com', false, dns.lookup)).toEqual({ address: publicV6.address, family: 6 });
    expect(dns.asked).toEqual(['hooks.example.com']);
  });

  it('refuses a name when any of its addresses is private, whichever comes first', async () => {
    const message = 'The webhook host "hooks.example.com" resolves to a loopback, private, link-local or reserved address.';
    for (const set of [
      [publicV4, { address: '10.0.0.5', family: 4 }],
      [{ address: '169.254.169.254', family: 4 }, publicV4],
      [publicV4, publicV6, { address: '::ffff:127.0.0.1', family: 6 }],
      [publicV4, { address: 'fd00:ec2::254', family: 6 }],
    ]) {
      expect(await refusalOf(resolveDeliveryAddress('hooks.example.com', false, fakeDns(set).lookup))).toBe(message);
    }
  });

  it('connects to a private address only when private targets are allowed', async () => {
    const dns = fakeDns([{ address: '10.0.0.5', family: 4 }, publicV4]);
    expect(await resolveDeliveryAddress('hooks.example.com', true, dns.lookup)).toEqual({ address: '10.0.0.5', family: 4 });
  });

  it('refuses a name without addresses', async () => {
    expect(await refusalOf(resolveDeliveryAddress('hooks.example.com', false, fakeDns([]).lookup))).toBe(
      'The webhook host "hooks.example.com" has no address.',
    );
  });

  it('checks IP literals without asking DNS', async () => {
    const dns = fakeDns([publicV4]);
    expect(await resolveDeliveryAddress('8.8.8.8', false, dns.lookup)).toEqual({ address: '8.8.8.8', family: 4 });
    expect(await resolveDeliveryAddress('[2606:4700:4700::1111]', false, dns.lookup)).toEqual({
      address: '2606:4700:4700::1111',
      family: 6,
    });
    expect(await refusalOf(resolveDeliveryAddress('[::1]', false, dns.lookup))).toBe(
      'The webhook target is a loopback, private, link-local or reserved address.',
    );
    expect(await resolveDeliveryAddress('127.0.0.1', true, dns.lookup)).toEqual({ address: '127.0.0.1', family: 4 });
    expect(dns.asked).toEqual([]);
  });

  it('refuses localhost through the real resolver, unless private targets are allowed', async () => {
    expect(await refusalOf(resolveDeliveryAddress('localhost', false))).toBe(
      'The webhook host "localhost" resolves to a loopback, private, link-local or reserved address.',
    );
    const allowed = await resolveDeliveryAddress('localhost', true);
    expect(['127.0.0.1', '::1']).toContain(allowed.address);
  });

  it('lets DNS failures through as the resolver reports them', async () => {
    await expect(resolveDeliveryAddress('no-such-host.invalid', false)).rejects.toMatchObject({
      code: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/),
    });
  });
});
