/**
 * The invoice's PDF as its hosted page serves it (`GET /inv/<token>.pdf` on the gateway, asked at `gatewayUrl`): the
 * public URL's path with `.pdf`. Throws when it does not come, so the attempt fails and is retried.
 */
export async function fetchInvoicePdf(
  gatewayUrl: string,
  publicInvoiceUrl: string,
  timeoutMs: number,
  shutdown: AbortSignal,
): Promise<Buffer> {
  const url = new URL(`${new URL(publicInvoiceUrl).pathname}.pdf`, gatewayUrl);
  const response = await fetch(url, { signal: AbortSignal.any([shutdown, AbortSignal.timeout(timeoutMs)]) });
  if (response.status !== 200) throw new Error(`pdf_unavailable: ${url.pathname} answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}
