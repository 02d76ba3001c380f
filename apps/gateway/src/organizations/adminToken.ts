import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The admin token: ADMIN_TOKEN when set; otherwise (development) one generated once and kept in
 * `<localDir>/admin-token`, so restarts and the CLI share it.
 */
export async function resolveAdminToken(
  configured: string | undefined,
  localDir: string,
): Promise<{ token: string; generated: boolean; path?: string }> {
  if (configured) return { token: configured, generated: false };
  const path = join(localDir, 'admin-token');
  try {
    const stored = (await readFile(path, 'utf8')).trim();
    if (stored) return { token: stored, generated: false, path };
  } catch {}
  const token = `adm_${randomBytes(24).toString('base64url')}`;
  await mkdir(localDir, { recursive: true });
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return { token, generated: true, path };
}
