import { describe, expect, it } from 'vitest';
import { containerEnv, exampleSecret, renderOverlay } from './k8s/test/renderOverlay.mjs';
import { appAddressedBy, appEnvs, envProblems } from './test/appEnvs.mjs';
import { composeApps, interpolate } from './test/composeApps.mjs';

// What the shell gives `docker compose up`: the secrets compose refuses to start without, as the Secret's example.
const shell = exampleSecret().stringData;

describe('docker-compose.yml', () => {
  const containers = composeApps(shell);

  it('runs each app once', () => {
    expect(containers.map(({ env }) => env.SERVICE).sort()).toEqual(Object.keys(appEnvs).sort());
  });

  it('gives every app each variable its env schema requires, and none it does not know', () => {
    for (const { name, env } of containers) expect(envProblems(env.SERVICE, env), name).toEqual([]);
  });

  it('points every internal address at the container of the app it names, on that app’s port', () => {
    for (const { name, env } of containers) {
      for (const [variable, value] of Object.entries(env).filter(([variable]) => appAddressedBy(variable))) {
        const url = new URL(value);
        const target = containers.find((container) => container.name === url.hostname);
        expect(target?.env.SERVICE, `${name} ${variable}`).toBe(appAddressedBy(variable));
        expect(url.port, `${name} ${variable}`).toBe(target.env.PORT);
      }
    }
  });

  it('sets no variable the Kubernetes manifests do not, and runs the image the local overlay runs', async () => {
    const objects = await renderOverlay('local');
    const manifestEnvs = objects
      .filter((object) => object.kind === 'Deployment')
      .map((deployment) => containerEnv(deployment.spec.template.spec.containers[0], objects, exampleSecret()));
    const images = objects.flatMap((object) => object.spec?.template?.spec.containers.map((c) => c.image) ?? []);
    for (const { name, image, env } of containers) {
      expect(new Set(images), name).toEqual(new Set([image]));
      const manifestVariables = new Set(
        manifestEnvs
          .filter((manifest) => manifest.SERVICE === env.SERVICE)
          .flatMap((manifest) => Object.keys(manifest)),
      );
      expect(
        Object.keys(env).filter((variable) => !manifestVariables.has(variable)),
        name,
      ).toEqual([]);
    }
  });

  it('interpolates as compose does: defaults when unset or empty, an error when required', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's interpolation, not a template
    expect(interpolate('${A:-x}/${B-y}/${C}', { A: '', B: '' })).toBe('x//');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's interpolation, not a template
    expect(() => interpolate('${TOKEN:?set TOKEN}', {})).toThrow('TOKEN: set TOKEN');
  });
});
