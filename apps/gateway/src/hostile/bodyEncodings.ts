import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

/** Every way of sending `text` that is not plain UTF-8 JSON, and whether it must be refused. */
export function bodyEncodings(
  text: string,
): { kind: string; headers: Record<string, string>; body: Buffer; refuse: boolean; json?: true }[] {
  const json = { 'content-type': 'application/json' };
  const utf8 = Buffer.from(text);
  return [
    { kind: 'text/plain body', headers: { 'content-type': 'text/plain' }, body: utf8, refuse: true },
    {
      kind: 'form body',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from('name=Form'),
      refuse: true,
    },
    {
      kind: 'multipart body',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      body: Buffer.from('--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n'),
      refuse: true,
    },
    { kind: 'no content type', headers: {}, body: utf8, refuse: true },
    {
      kind: 'charset latin1',
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: utf8,
      refuse: true,
    },
    {
      kind: 'charset utf-16',
      headers: { 'content-type': 'application/json; charset=utf-16' },
      body: Buffer.from(text, 'utf16le'),
      refuse: false,
    },
    { kind: 'gzip header, plain body', headers: { ...json, 'content-encoding': 'gzip' }, body: utf8, refuse: true },
    {
      kind: 'unknown content encoding',
      headers: { ...json, 'content-encoding': 'compress' },
      body: utf8,
      refuse: true,
    },
    { kind: 'malformed JSON', headers: json, body: Buffer.from(`${text.slice(0, -1)},`), refuse: true },
    { kind: 'JSON array body', headers: json, body: Buffer.from(`[${text}]`), refuse: true, json: true },
    {
      kind: 'deep nesting',
      headers: { ...json, 'idempotency-key': 'deep-nesting' },
      body: Buffer.from(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`),
      refuse: true,
      json: true,
    },
    {
      kind: 'deep array nesting',
      headers: json,
      body: Buffer.from(`${'['.repeat(10_000)}${']'.repeat(10_000)}`),
      refuse: true,
      json: true,
    },
    {
      kind: 'body over 1 MiB',
      headers: json,
      body: Buffer.from(JSON.stringify({ name: 'x'.repeat(1_100_000) })),
      refuse: true,
      json: true,
    },
    {
      kind: 'charset utf-8',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: utf8,
      refuse: false,
    },
    { kind: 'gzip body', headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(utf8), refuse: false },
    {
      kind: 'deflate body',
      headers: { ...json, 'content-encoding': 'deflate' },
      body: deflateSync(utf8),
      refuse: false,
    },
    {
      kind: 'brotli body',
      headers: { ...json, 'content-encoding': 'br' },
      body: brotliCompressSync(utf8),
      refuse: false,
    },
  ];
}

/** `text` (a JSON object) with its first key also written before it, holding `first`: JSON's last one wins. */
export function duplicatedKey(text: string, first: string): string | undefined {
  const match = /^\{("(?:[^"\\]|\\.)*"):/.exec(text);
  return match ? `{${match[1]}:${first},${text.slice(1)}` : undefined;
}
