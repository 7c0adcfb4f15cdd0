import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type HookpressApp } from '../../core/app.js';
import type { AppConfig } from '../../core/config.js';

import { ADMIN_PASSWORD } from '../../core/testing/admin-agent.js';
import { withOfflineDns } from '../../core/testing/offline-lookup.js';

// The login and nonce helpers are part of the plugin authors' test kit (core/plugin-testkit.ts).
export { ADMIN_PASSWORD, loginAgent, nonceIn, nonceNear, type Agent } from '../../core/testing/admin-agent.js';
export const FIXTURE_PLUGINS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'plugins');

/** A fresh, isolated host: in-memory SQLite, silent logs, cheap password hashing, offline DNS (core/testing/offline-lookup.ts). */
export async function makeApp(overrides: Partial<AppConfig> = {}): Promise<HookpressApp> {
  return createApp({
    dataDir: ':memory:',
    logLevel: 'silent',
    passwordCost: 1024,
    adminPassword: ADMIN_PASSWORD,
    pluginsDir: FIXTURE_PLUGINS,
    pluginSlugs: [],
    runScheduler: false,
    ...overrides,
    // Tests never ask a real resolver: names other than localhost fail unless a test injects a lookup.
    plugins: withOfflineDns(overrides.plugins),
  });
}

