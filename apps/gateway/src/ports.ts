import { closeServer, listen } from '@afternoon/service-kit';
import type { Express } from 'express';
import type { GatewayEnv } from './env';
import { refuseConnect } from './http/refuseConnect';
import type { AdminPort } from './organizations/adminPort';

/** The gateway listening: on PORT, and on ADMIN_PORT (internal host only) when the admin API has a port of its own. */
export interface GatewayPorts {
  port: number;
  adminPort: number | undefined;
  close(): Promise<void>;
}

/** Serves the app on its ports, names the admin one to the admin door, and refuses CONNECT on both. */
export async function listenOnPorts(app: Express, env: GatewayEnv, adminDoor: AdminPort): Promise<GatewayPorts> {
  const http = await listen(app, env.PORT);
  const adminHttp = env.ADMIN_PORT === undefined ? undefined : await listen(app, env.ADMIN_PORT, env.INTERNAL_HOST);
  if (adminHttp) adminDoor.listening(adminHttp.server);
  for (const server of [http.server, adminHttp?.server]) server?.on('connect', refuseConnect);
  return {
    port: http.port,
    adminPort: adminHttp?.port,
    async close() {
      await closeServer(http.server);
      if (adminHttp) await closeServer(adminHttp.server);
    },
  };
}
