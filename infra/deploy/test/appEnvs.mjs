// What each app requires of its environment, read from the apps' own env schemas (apps/*/src/env.ts).
import { CustomerServiceEnv, loadEnv as loadCustomerEnv } from '../../../apps/customer-service/src/env.ts';
import { GatewayEnv, loadEnv as loadGatewayEnv } from '../../../apps/gateway/src/env.ts';
import { InvoicingServiceEnv, loadEnv as loadInvoicingEnv } from '../../../apps/invoicing-service/src/env.ts';
import { loadEnv as loadMeteringEnv, MeteringServiceEnv } from '../../../apps/metering-service/src/env.ts';
import { loadEnv as loadNotificationEnv, NotificationServiceEnv } from '../../../apps/notification-service/src/env.ts';

/** Each app the image runs, by its SERVICE name: its env schema and the parse its main.ts does at boot. */
export const appEnvs = {
  gateway: { schema: GatewayEnv, load: loadGatewayEnv },
  'customer-service': { schema: CustomerServiceEnv, load: loadCustomerEnv },
  'metering-service': { schema: MeteringServiceEnv, load: loadMeteringEnv },
  'invoicing-service': { schema: InvoicingServiceEnv, load: loadInvoicingEnv },
  'notification-service': { schema: NotificationServiceEnv, load: loadNotificationEnv },
};

/** Read by the image, not the app: SERVICE chooses the app (Dockerfile). */
const imageVariables = ['SERVICE', 'NODE_ENV'];

const defaultOf = (field) => {
  const parsed = field.safeParse(undefined);
  return parsed.success ? parsed.data : undefined;
};

/** Variables the app cannot start without: no default, not optional. */
export function requiredVariables(app) {
  const { shape } = appEnvs[app].schema;
  return Object.keys(shape).filter((name) => !shape[name].safeParse(undefined).success);
}

/**
 * Variables whose default only works with every app on one host (a loopback address or interface): apps in separate
 * pods or containers must be given them, or the gateway, say, would ask itself for metering's answers.
 */
export function loopbackDefaults(app) {
  const { shape } = appEnvs[app].schema;
  return Object.keys(shape).filter((name) => /127\.0\.0\.1|localhost/.test(String(defaultOf(shape[name]) ?? '')));
}

/** What is wrong with the environment an app would start with: missing, unknown or invalid variables. */
export function envProblems(app, env) {
  const { schema, load } = appEnvs[app];
  const known = new Set([...Object.keys(schema.shape), ...imageVariables]);
  const problems = [
    ...requiredVariables(app)
      .filter((name) => env[name] === undefined)
      .map((name) => `${name} is required`),
    ...loopbackDefaults(app)
      .filter((name) => env[name] === undefined)
      .map((name) => `${name} is not set (its default is a loopback address)`),
    ...Object.keys(env)
      .filter((name) => !known.has(name))
      .map((name) => `${name} is no variable of ${app}`),
  ];
  try {
    load(env);
  } catch (error) {
    problems.push(error.message);
  }
  return problems;
}

/** The parsed environment an app would run with (its defaults applied). */
export const parsedEnv = (app, env) => appEnvs[app].load(env);

/**
 * The app an internal address variable names (CUSTOMER_SERVICE_URL → customer-service, GATEWAY_INTERNAL_URL →
 * gateway), or undefined for one that names none (PUBLIC_URL).
 */
export function appAddressedBy(variable) {
  if (!variable.endsWith('_URL')) return undefined;
  const word = variable.split('_')[0].toLowerCase();
  return Object.keys(appEnvs).find((app) => app.split('-')[0] === word);
}
