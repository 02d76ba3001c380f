import { readFileSync } from 'node:fs';
import { parseYamlDocuments } from './yaml.mjs';

const composeFile = new URL('../../../docker-compose.yml', import.meta.url);

/** Compose's `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}` and `${NAME?error}` from `shell`. */
export function interpolate(value, shell) {
  return value.replace(/\$\{(\w+)(?:(:?)([-?])([^}]*))?\}/g, (_match, name, colon, operator, argument) => {
    const set = shell[name];
    if (set !== undefined && !(colon && set === '')) return set;
    if (operator === '?') throw new Error(`${name}: ${argument}`);
    return operator === '-' ? argument : '';
  });
}

/**
 * docker-compose.yml's app containers (those that set SERVICE): their name, image and the environment each starts
 * with, as `docker compose up` would interpolate it from `shell` (the variables set in the shell or .env).
 */
export function composeApps(shell) {
  const [compose] = parseYamlDocuments(readFileSync(composeFile, 'utf8'));
  return Object.entries(compose.services)
    .filter(([, service]) => service.environment?.SERVICE)
    .map(([name, service]) => ({
      name,
      image: service.image,
      env: Object.fromEntries(
        Object.entries(service.environment).map(([variable, value]) => [variable, interpolate(String(value), shell)]),
      ),
    }));
}
