import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginError, type PluginInfo, type PluginModule } from './types.js';

export interface BrokenPlugin {
  slug: string;
  error: string;
}

/**
 * The entry module discoverPlugins would import for `<pluginsDir>/<slug>` (`index.ts`, else
 * `index.js`), or undefined: no such folder or entry, a slug that is not a plugin name, or one
 * left out by `only`. One stat per candidate file; nothing is imported.
 */
export function pluginEntry(pluginsDir: string, slug: string, only?: readonly string[]): string | undefined {
  if (only && !only.includes(slug)) return undefined;
  if (!/^[a-z0-9-]+$/.test(slug)) return undefined;
  return ['index.ts', 'index.js'].map((f) => path.join(pluginsDir, slug, f)).find((f) => fs.existsSync(f));
}

/** Finds `plugins/<slug>/index.ts` (or .js) entry modules and checks their manifests. */
export async function discoverPlugins(
  pluginsDir: string,
  only?: readonly string[],
): Promise<{ plugins: PluginInfo[]; broken: BrokenPlugin[] }> {
  const plugins: PluginInfo[] = [];
  const broken: BrokenPlugin[] = [];
  let names: string[] = [];
  try {
    // A plugin folder may be a symbolic link (to a checkout elsewhere), as in WordPress.
    names = fs
      .readdirSync(pluginsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() || (d.isSymbolicLink() && fs.statSync(path.join(pluginsDir, d.name), { throwIfNoEntry: false })?.isDirectory()))
      .map((d) => d.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  for (const slug of names.sort()) {
    const entry = pluginEntry(pluginsDir, slug, only);
    if (!entry) continue;
    const dir = path.join(pluginsDir, slug);
    try {
      const module = (await import(pathToFileURL(entry).href)) as PluginModule;
      validateManifest(slug, module);
      plugins.push({ slug, dir, manifest: module.manifest, module });
    } catch (error) {
      broken.push({ slug, error: (error as Error).message });
    }
  }
  return { plugins, broken };
}

function validateManifest(slug: string, module: PluginModule): void {
  const m = module.manifest as unknown as Record<string, unknown> | undefined;
  if (!m || typeof m !== 'object') {
    throw new PluginError('PLUGIN_NO_MANIFEST', `Plugin "${slug}" must export a manifest object.`);
  }
  for (const key of ['name', 'description', 'version', 'author']) {
    if (typeof m[key] !== 'string' || (m[key] as string).trim() === '') {
      throw new PluginError('PLUGIN_BAD_MANIFEST', `The manifest of plugin "${slug}" needs a non-empty string "${key}".`);
    }
  }
  for (const fn of ['load', 'activate', 'deactivate'] as const) {
    if (module[fn] !== undefined && typeof module[fn] !== 'function') {
      throw new PluginError('PLUGIN_BAD_EXPORT', `Plugin "${slug}" exports "${fn}" but it is not a function.`);
    }
  }
}
