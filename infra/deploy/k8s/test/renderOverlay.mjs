import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { parseYamlDocuments } from '../../test/yaml.mjs';

const run = promisify(execFile);
const k8sDir = new URL('..', import.meta.url);

/** The kinds the manifests may hold, each with its model (kubernetes-models validates against the API's schema). */
const models = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/** `kubectl kustomize` of an overlay: every object it renders. */
export async function renderOverlay(overlay) {
  const rendered = await run('kubectl', ['kustomize', new URL(`overlays/${overlay}`, k8sDir).pathname]).catch(
    (error) => {
      if (error.code === 'ENOENT')
        throw new Error('kubectl is needed on PATH to render the manifests (kubectl kustomize)');
      throw error;
    },
  );
  return parseYamlDocuments(rendered.stdout);
}

/** Checks an object against its kind's schema; throws naming the object and every problem. */
export function validateObject(object) {
  const Model = models[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`${object.kind} ${object.metadata?.name}: no model for ${object.apiVersion}`);
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${object.kind} ${object.metadata?.name}: ${error.message}`);
  }
}

/** The documented example of the Secret the user creates (base/secret.example.yaml): its keys and example values. */
export function exampleSecret() {
  const [secret] = parseYamlDocuments(readFileSync(new URL('base/secret.example.yaml', k8sDir), 'utf8'));
  return secret;
}

/** The environment a container starts with: its ConfigMaps and the Secret's keys it names, then its own values. */
export function containerEnv(container, objects, secret) {
  const configMap = (name) => {
    const found = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === name);
    if (!found) throw new Error(`${container.name}: no ConfigMap ${name}`);
    return found.data ?? {};
  };
  const secretKey = (ref) => {
    if (ref.name !== secret.metadata.name) throw new Error(`${container.name}: no Secret ${ref.name}`);
    const value = secret.stringData[ref.key];
    if (value === undefined && !ref.optional) throw new Error(`${container.name}: the Secret has no ${ref.key}`);
    return value;
  };
  const env = {};
  for (const source of container.envFrom ?? []) {
    if (!source.configMapRef) throw new Error(`${container.name}: envFrom takes ConfigMaps only (secrets by key)`);
    Object.assign(env, configMap(source.configMapRef.name));
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    const value = from?.configMapKeyRef
      ? configMap(from.configMapKeyRef.name)[from.configMapKeyRef.key]
      : from?.secretKeyRef
        ? secretKey(from.secretKeyRef)
        : variable.value;
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

/** Whether a selector (matchLabels, or a Service's plain map) picks pods with these labels. */
export const selects = (selector, labels) =>
  Object.entries(selector ?? {}).every(([key, value]) => labels?.[key] === value);
