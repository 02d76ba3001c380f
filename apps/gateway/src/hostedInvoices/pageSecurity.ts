import { createHash } from 'node:crypto';
import type { Response } from 'express';

/*
 * The hosted invoice's token is its capability and travels in the URL, so the page neither leaks it (no Referer to
 * the logo's host or anywhere else) nor runs anything it did not write: every inline style or script it carries is
 * allowed by its own hash, nothing else loads but the seller's logo, and no other site may frame it.
 */

const inlineBlocks = /<(style|script)>([\s\S]*?)<\/\1>/g;

/** The Content-Security-Policy of one rendered page: its own inline blocks by hash, images from `imageOrigins`. */
export function pageContentSecurityPolicy(html: string, imageOrigins: string[]): string {
  const hashes = { style: new Set<string>(), script: new Set<string>() };
  for (const [, kind, body] of html.matchAll(inlineBlocks)) {
    hashes[kind as 'style' | 'script'].add(
      `'sha256-${createHash('sha256')
        .update(body ?? '')
        .digest('base64')}'`,
    );
  }
  return [
    "default-src 'none'",
    ...(hashes.style.size ? [`style-src ${[...hashes.style].join(' ')}`] : []),
    ...(hashes.script.size ? [`script-src ${[...hashes.script].join(' ')}`] : []),
    ...(imageOrigins.length ? [`img-src ${imageOrigins.join(' ')}`] : []),
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Where an https logo is served from (`https://cdn.example.com`), for `img-src`; none for anything else. */
export function imageOriginOf(url: string | null): string[] {
  if (!url) return [];
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' ? [parsed.origin] : [];
  } catch {
    return [];
  }
}

/** Headers every `/inv/*` answer carries, the page, its PDF and the not-found page alike. */
export function keepPrivate(response: Response, contentSecurityPolicy: string): void {
  response.set({
    'Cache-Control': 'no-store',
    'X-Robots-Tag': 'noindex',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': contentSecurityPolicy,
    'X-Frame-Options': 'DENY',
  });
}

/** For the PDF and error answers: no page content runs, nothing loads and nothing may frame it. */
export const noContentSecurityPolicy = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'";
