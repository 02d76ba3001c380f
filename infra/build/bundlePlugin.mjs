// The esbuild plugin behind bundleApp.mjs: which imports stay external, and where bundled sources think they are.
import { readFile } from 'node:fs/promises';
import { dirname, relative, sep } from 'node:path';

const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const isBare = (specifier) =>
  !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('node:');
const toPosix = (path) => path.split(sep).join('/');

/**
 * External: the app's declared dependencies (a production install provides exactly those), checked to be the same
 * package the importing workspace source would get. Bundled: workspace packages and what they use that the app does
 * not declare. `import.meta.url` in a bundled source keeps naming that source's file, relative to the bundle, so
 * `new URL('../migrations', import.meta.url)` still finds the migrations beside it in the repository layout.
 */
export function bundlePlugin({ appDir, outdir, dependencies }) {
  const declared = new Set(dependencies.filter((name) => !name.startsWith('@afternoon/')));
  return {
    name: 'afternoon-app-bundle',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || !isBare(args.path) || args.pluginData === 'checking') return undefined;
        if (!declared.has(packageName(args.path))) return undefined;
        const fromImporter = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          pluginData: 'checking',
        });
        const fromApp = await build.resolve(args.path, { kind: args.kind, resolveDir: appDir, pluginData: 'checking' });
        if (fromImporter.path !== fromApp.path) {
          return {
            errors: [
              {
                text: `${args.path} resolves to another copy from ${args.importer} than from the app: align the versions`,
              },
            ],
          };
        }
        return { path: args.path, external: true };
      });
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.')) return undefined;
        const fromBundle = toPosix(relative(outdir, args.path));
        const fileUrl = `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`;
        if (/import\.meta\.(dirname|filename)/.test(source)) {
          return { errors: [{ text: `${args.path}: use import.meta.url (the bundle rewrites it to this file)` }] };
        }
        const contents = source.replaceAll('import.meta.url', fileUrl);
        return { contents, loader: 'ts', resolveDir: dirname(args.path) };
      });
    },
  };
}
