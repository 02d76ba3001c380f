import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { imageOriginOf, pageContentSecurityPolicy } from './pageSecurity';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('pageContentSecurityPolicy', () => {
  it('allows exactly the inline blocks the page carries, by hash, and images from the given origins', () => {
    const page = '<style>body{color:red}</style><style>:root{--accent:#aa3300}</style><script>go()</script>';
    expect(pageContentSecurityPolicy(page, ['https://cdn.example.com'])).toBe(
      [
        "default-src 'none'",
        `style-src ${sha256('body{color:red}')} ${sha256(':root{--accent:#aa3300}')}`,
        `script-src ${sha256('go()')}`,
        'img-src https://cdn.example.com',
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
  });

  it('allows nothing the page does not carry', () => {
    expect(pageContentSecurityPolicy('<p>plain</p>', [])).toBe(
      "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
  });
});

describe('imageOriginOf', () => {
  it("is an https logo's origin, and nothing for anything else", () => {
    expect(imageOriginOf('https://cdn.example.com:8443/a/logo.png?v=2')).toEqual(['https://cdn.example.com:8443']);
    for (const url of [null, 'http://cdn.example.com/logo.png', 'data:image/png;base64,AA', 'not a url']) {
      expect(imageOriginOf(url)).toEqual([]);
    }
  });
});
