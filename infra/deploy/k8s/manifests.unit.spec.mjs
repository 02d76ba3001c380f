import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { appAddressedBy, appEnvs, envProblems, parsedEnv } from '../test/appEnvs.mjs';
import { containerEnv, exampleSecret, renderOverlay, selects, validateObject } from './test/renderOverlay.mjs';

const apps = Object.keys(appEnvs);

/** Each Deployment with its one container, the app it runs (SERVICE) and the environment that app starts with. */
function deploymentsOf(objects) {
  const secret = exampleSecret();
  return objects
    .filter((object) => object.kind === 'Deployment')
    .map((deployment) => {
      const { containers } = deployment.spec.template.spec;
      expect(containers.map((container) => container.name)).toEqual(['app']);
      const env = containerEnv(containers[0], objects, secret);
      return { deployment, name: deployment.metadata.name, container: containers[0], app: env.SERVICE, env };
    });
}

/** Variables a base config file shows commented out (`# NAME=…`): documented there, left for the operator to set. */
const commentedIn = (file) =>
  [...readFileSync(new URL(`base/config/${file}.env`, import.meta.url), 'utf8').matchAll(/^# ([A-Z_]+)=/gm)].map(
    ([, name]) => name,
  );

const podLabels = ({ deployment }) => deployment.spec.template.metadata.labels;
const ofKind = (objects, kind) => objects.filter((object) => object.kind === kind);

/** The container port a Service port or a probe names (by name or number). */
const containerPort = (container, port) =>
  container.ports.find((candidate) => candidate.name === port || candidate.containerPort === port);

describe.each(['local', 'production'])('the %s overlay', (overlay) => {
  let objects;
  let deployments;
  beforeAll(async () => {
    objects = await renderOverlay(overlay);
    deployments = deploymentsOf(objects);
  });

  /** The Deployments whose pods a Service or budget selects. */
  const selected = (selector) => deployments.filter((deployment) => selects(selector, podLabels(deployment)));

  it('renders only objects that are valid against the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) expect(() => validateObject(object)).not.toThrow();
  });

  it.each(apps)('runs %s behind a Service of its port, with a disruption budget', (app) => {
    const running = deployments.filter((deployment) => deployment.app === app);
    expect(running.length).toBeGreaterThan(0);
    const services = ofKind(objects, 'Service').filter((service) =>
      selected(service.spec.selector).some((deployment) => deployment.app === app),
    );
    const port = Number(running[0].env.PORT);
    expect(
      services.some((service) =>
        service.spec.ports.some((servicePort) =>
          running.every(({ container }) => containerPort(container, servicePort.targetPort)?.containerPort === port),
        ),
      ),
    ).toBe(true);
    const budgets = ofKind(objects, 'PodDisruptionBudget').filter((budget) =>
      running.every((deployment) => selects(budget.spec.selector.matchLabels, podLabels(deployment))),
    );
    expect(budgets).toHaveLength(1);
  });

  it('gives every app each variable its env schema requires, and none it does not know', () => {
    for (const { name, app, env } of deployments) {
      expect(apps, name).toContain(app);
      expect(envProblems(app, env), name).toEqual([]);
    }
  });

  it('sets every variable of each app, or shows it commented out in its config file', () => {
    for (const app of apps) {
      const given = new Set(deployments.filter((d) => d.app === app).flatMap((d) => Object.keys(d.env)));
      const documented = new Set([...commentedIn('shared'), ...commentedIn(app)]);
      const unmentioned = Object.keys(appEnvs[app].schema.shape).filter(
        (name) => !given.has(name) && !documented.has(name),
      );
      expect(unmentioned, app).toEqual([]);
    }
  });

  it('probes each app where it answers: /healthz (alive) and /readyz (ready) on its PORT', () => {
    for (const { name, container, env } of deployments) {
      const probes = { startupProbe: '/healthz', livenessProbe: '/healthz', readinessProbe: '/readyz' };
      for (const [probe, path] of Object.entries(probes)) {
        expect(container[probe]?.httpGet?.path, `${name} ${probe}`).toBe(path);
        expect(containerPort(container, container[probe].httpGet.port)?.containerPort, `${name} ${probe}`).toBe(
          Number(env.PORT),
        );
      }
    }
  });

  it('points every internal address at a Service of the app it names, on that app’s port', () => {
    const services = ofKind(objects, 'Service');
    for (const { name, env } of deployments) {
      for (const [variable, value] of Object.entries(env).filter(([variable]) => appAddressedBy(variable))) {
        const url = new URL(value);
        const service = services.find((candidate) => candidate.metadata.name === url.hostname);
        expect(service, `${name} ${variable}`).toBeDefined();
        const servicePort = service.spec.ports.find((port) => port.port === Number(url.port || 80));
        const targets = selected(service.spec.selector);
        expect(targets.length, `${name} ${variable}`).toBeGreaterThan(0);
        for (const target of targets) {
          expect(target.app, `${name} ${variable}`).toBe(appAddressedBy(variable));
          expect(containerPort(target.container, servicePort?.targetPort)?.containerPort).toBe(Number(target.env.PORT));
        }
      }
    }
  });

  it('runs the billing run on exactly one replica, which a rollout replaces rather than doubles', () => {
    const billing = deployments.filter(
      ({ app, env }) => app === 'invoicing-service' && parsedEnv(app, env).BILLING_RUN_ENABLED,
    );
    expect(billing).toHaveLength(1);
    expect(billing[0].deployment.spec.replicas).toBe(1);
    expect(billing[0].deployment.spec.strategy.type).toBe('Recreate');
  });

  it('answers the admin API on its own port, which the public Service does not reach', () => {
    const gateway = deployments.find(({ app }) => app === 'gateway');
    expect(containerPort(gateway.container, 'admin')?.containerPort).toBe(Number(gateway.env.ADMIN_PORT));
    const publicService = ofKind(objects, 'Service').find((service) => service.metadata.name === 'gateway');
    expect(publicService.spec.ports.map((port) => port.targetPort)).toEqual(['http']);
  });

  it('runs every app as a non-root user on a read-only root filesystem, with requests and a memory limit', () => {
    for (const { name, deployment, container } of deployments) {
      expect(deployment.spec.template.spec.securityContext.runAsNonRoot, name).toBe(true);
      expect(container.securityContext, name).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(container.resources.requests, name).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.resources.limits.memory, name).toBeDefined();
    }
  });
});
