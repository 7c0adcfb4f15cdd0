import http from 'node:http';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { defaultConfig, PROJECT_ROOT, type AppConfig } from './config.js';
import { createLogger } from './logger.js';
import { openDatabase, type Db } from './db/database.js';
import { postgresQueryLayer, sqliteQueryLayer, type QueryLayer } from './db/query-layer.js';
import { withStartLock } from './db/start-lock.js';
import { guardSyncHandle } from './db/shared-connection-guard.js';
import { withFaults } from './db/fault-injection.js';
import { migrateSchema } from './db/schema-migrations.js';
import { coreMigrations } from './db/core-schema.js';
import { createHooks, type Hooks } from './hooks/index.js';
import { OptionsStore } from './options/options-store.js';
import { OptionsSync } from './options/options-sync.js';
import { SiteOptions } from './options/site-options.js';
import { USERS_CACHE, UsersStore } from './users/users-store.js';
import { Users } from './users/users.js';
import { generatePassword } from './users/passwords.js';
import { Sites } from './sites/sites.js';
import { SitesStore } from './sites/sites-store.js';
import { Nonces } from './nonces/nonces.js';
import { loadOrCreateSecret, loadOrCreateSharedSecret } from './nonces/secret.js';
import { DatabaseSessionStore } from './auth/session-store.js';
import { DatabaseRateLimitStore } from './auth/rate-limit-store.js';
import { RATE_LIMITS_SERVICE, sharedRateLimits } from './auth/shared-limits.js';
import './auth/session-data.js';
import { loginRoutes } from './auth/login-routes.js';
import { AdminMenu } from './admin/menu.js';
import { registerCoreMenu } from './admin/core-menu.js';
import { PersistentNotices } from './admin/notices.js';
import { NoticesStore } from './admin/notices-store.js';
import { AdminShell } from './admin/shell.js';
import { adminRoutes } from './admin/routes.js';
import { PluginManager } from './plugins/plugin-manager.js';
import { MenuBuilder, type Host } from './host.js';
import { HttpError } from './http/errors.js';
import { unitOfWorkMiddleware } from './http/unit-of-work.js';
import { nocacheHeaders } from './http/nocache.js';
import { sessionSavedFirst } from './auth/session-saved-first.js';
import { formTooLargePage, MAX_FORM_BYTES, MAX_FORM_FIELDS } from './http/form-limit.js';
import { checkDatabase, checkQueryLayer, healthzHandler } from './http/healthz.js';
import { isStorageError, startupRetrier, storageFaultMessage } from './db/storage-errors.js';
import { classifyStorageFault } from './http/storage-fault.js';
import { openDataDir, StartupError, startupStorageError } from './db/startup-checks.js';
import { checkPostgresReachable } from './db/postgres-startup.js';
import { CallbackGuard } from './plugins/containment.js';
import { HookpressError } from './errors.js';
import './error-codes.js';
import { Cron } from './cron/cron.js';
import { CronStore } from './cron/cron-store.js';
import { SiteTransients } from './options/site-transients.js';
import { SiteTransientsStore } from './options/site-transients-store.js';
import { Translations } from './i18n/i18n.js';
import { CustomCapabilities } from './users/capabilities.js';
import { publicPluginRoutes } from './plugins/public-routes.js';
import { RestServer } from './rest/server.js';
import { registerCoreRestRoutes } from './rest/core-routes.js';
import { NetworkApiKey } from './rest/api-key.js';
import { ApplicationPasswords } from './rest/application-passwords.js';
import { ApplicationPasswordsStore } from './rest/application-passwords-store.js';
import { RestAuthThrottle, restAuthenticator, throttledAuthenticator } from './rest/auth.js';

export interface HookpressApp {
  app: express.Express;
  hooks: Hooks;
  /** SQLite: the synchronous handle. PostgreSQL: none — every use throws (use `query`). */
  db: Db;
  /** The asynchronous query layer (Kysely) over the same database. */
  query: QueryLayer;
  plugins: PluginManager;
  host: Host;
  config: AppConfig;
  /** Listens on config.host:config.port (0 = any free port); resolves to the base URL. */
  start(): Promise<string>;
  /** Graceful stop: stop accepting, finish requests, fire `shutdown`, close the database. */
  close(): Promise<void>;
  /**
   * Brings other processes' option writes into this host's options cache (its `subscribe`
   * listeners fire after each; the plugins follow `active_sitewide_plugins` through one).
   */
  optionsSync: OptionsSync;
  /** The first super admin's generated password, when one was generated at this start. */
  generatedAdminPassword?: string;
}

const VIEWS = path.join(PROJECT_ROOT, 'views');
const PUBLIC = path.join(PROJECT_ROOT, 'public');

/**
 * The composition root: builds one isolated host (its own hooks registry, database, plugins)
 * from a configuration. Tests build a fresh one each. With `databaseUrl` (DATABASE_URL) the host
 * runs on that PostgreSQL database — several processes may share it, so DATA_DIR is not locked
 * (nor used for the database or the secret key); otherwise on SQLite in `dataDir`.
 */
export async function createApp(overrides: Partial<AppConfig> = {}): Promise<HookpressApp> {
  const config = defaultConfig(overrides);
  if (config.databaseUrl) return buildApp(config, () => {});
  // Refuse to start, with the path and a remedy, rather than lose or damage data.
  const lock = config.dataDir === ':memory:' ? undefined : await openDataDir(config.dataDir, { lock: config.lockDataDir !== false });
  try {
    return await buildApp(config, lock?.release ?? (() => {}));
  } catch (error) {
    lock?.release();
    if (config.dataDir !== ':memory:' && isStorageError(error) && !(error instanceof StartupError)) {
      throw startupStorageError(path.join(config.dataDir, 'hookpress.sqlite'), error, storageFaultMessage);
    }
    throw error;
  }
}

async function buildApp(config: AppConfig, releaseLock: () => void): Promise<HookpressApp> {
  const logger = createLogger(config.logLevel, config.logDestination);
  const { raw, query, db } = await openStorage(config);
  // The stores' synchronous faces: SQLite's handle, or none on PostgreSQL (asynchronous methods and caches).
  const sync = raw ? db : undefined;
  try {
    return await withStartLock(query, () => buildHost(config, releaseLock, logger, raw, query, db, sync));
  } catch (error) {
    await query.close().catch(() => undefined);
    if (raw) db.close();
    throw error;
  }
}

/**
 * The database of a configuration: PostgreSQL's pool (`databaseUrl`; no synchronous handle:
 * `db` throws on use) or the SQLite file in DATA_DIR with its two faces on one connection.
 */
async function openStorage(config: AppConfig): Promise<{ raw?: Db; query: QueryLayer; db: Db }> {
  if (config.databaseUrl) {
    const query = await postgresQueryLayer(config.databaseUrl, {
      applicationName: 'hookpress',
      queryTimeoutMs: config.queryTimeoutMs,
      connectTimeoutMs: config.connectTimeoutMs,
    });
    await checkPostgresReachable(query, config.databaseUrl);
    return { query, db: noSqliteHandle() };
  }
  const raw = openDatabase(config.dataDir, { busyTimeoutMs: config.busyTimeoutMs, synchronous: config.sqliteSynchronous });
  const connection = config.faults ? withFaults(raw, config.faults) : raw;
  // One connection, two faces: the synchronous handle (stores not yet ported) and the query
  // layer (Kysely). The guard keeps other requests' synchronous writes out of an open Kysely
  // transaction (core/db/shared-connection-guard.ts).
  const query = sqliteQueryLayer(connection);
  return { raw, query, db: guardSyncHandle(connection, query.guard!) };
}

/** PostgreSQL's stand-in for the synchronous SQLite handle: any use throws, naming the asynchronous way. */
function noSqliteHandle(): Db {
  return new Proxy({} as Db, {
    get(_target, prop) {
      if (prop === 'then') return undefined;
      throw new Error(`The synchronous SQLite handle (db.${String(prop)}) does not exist on a host running on PostgreSQL: use the query layer (host.query / api.db).`);
    },
  });
}

/** Everything after the database is open; on PostgreSQL under the start-up lock (core/db/start-lock.ts). */
async function buildHost(config: AppConfig, releaseLock: () => void, logger: ReturnType<typeof createLogger>, raw: Db | undefined, query: QueryLayer, db: Db, sync: Db | undefined): Promise<HookpressApp> {
  // Another process holding the write lock while we start is waited out, not fatal.
  const retry = startupRetrier(logger, config.startupRetry);
  await retry('core migrations', () => migrateSchema(query, 'core', coreMigrations));

  // Which plugin added a callback, so a hook warning can name it (filled by trackedHooks).
  const callbackOwners = new WeakMap<object, string>();
  const hooks = createHooks({
    onWarning: (w) => {
      const key = typeof w.callback === 'function' ? w.callback : w.callback[0];
      logger.warn({ code: w.code, hook: w.hookName, plugin: callbackOwners.get(key) ?? null }, w.message);
    },
  });
  // Network options: a per-process cache loaded now; other processes' writes (the CLI's, or
  // another host's) arrive through OptionsSync (core/options/options-sync.ts).
  const optionsStore = new OptionsStore(query.db, sync);
  const options = new SiteOptions(optionsStore, hooks, logger);
  await retry('loading network options', () => options.load());
  // `raw`: its data_version look is not a database call a fault-injection test plans for.
  const optionsSync = new OptionsSync(options, raw ? { sqlite: raw } : { postgresUrl: config.databaseUrl!, versions: optionsStore }, logger);
  await optionsSync.start();
  const users = new Users(new UsersStore(query.db, query.dialect, sync), options, hooks, config.clock, config.passwordCost);
  optionsSync.follow(USERS_CACHE, (version) => users.refreshKnown(version));
  const sites = new Sites(new SitesStore(query.db, query.dialect, sync), hooks, config.clock);
  // PostgreSQL: one key for every process (in the database), so any of them accepts any cookie and nonce.
  const secret = raw ? loadOrCreateSecret(config.dataDir) : await loadOrCreateSharedSecret(query.db);
  const nonces = new Nonces(secret, config.clock);
  const menu = new AdminMenu();
  registerCoreMenu(menu);
  const notices = new PersistentNotices(new NoticesStore(query.db, query.dialect, sync), config.clock);
  const transientsStore = new SiteTransientsStore(query.db, query.dialect, sync);
  let baseUrl = `http://${config.host}:${config.port}`;
  const guard = new CallbackGuard();
  const host: Host = {
    guard,
    config,
    hooks,
    db,
    query,
    logger,
    options,
    users,
    sites,
    nonces,
    menu,
    notices,
    adminMenu: new MenuBuilder(hooks, menu, guard),
    cron: new Cron(new CronStore(query.db, sync), hooks, config.clock, logger),
    rest: undefined as unknown as RestServer,
    apiKey: new NetworkApiKey(optionsStore, options),
    appPasswords: new ApplicationPasswords(new ApplicationPasswordsStore(query.db, query.dialect, sync), users, hooks, config.clock),
    services: new Map(),
    publicRoutes: new Map(),
    callbackOwners,
    transients: new SiteTransients(transientsStore, hooks, config.clock),
    translations: new Translations(() => String(options.get_site_option('WPLANG', '') || 'en_US')),
    capabilities: new CustomCapabilities(options, hooks),
    baseUrl: () => baseUrl,
  };

  // Plugins' rate limits in the database, shared by every process (the inspector's inboxes).
  host.services.set(RATE_LIMITS_SERVICE, { owner: 'core', service: sharedRateLimits(query.db, config.clock) });
  host.rest = new RestServer(host);
  registerCoreRestRoutes(host);
  // First start: a network needs a name, a main site and a super admin. Each step is idempotent.
  await retry('first-start set-up', async () => {
    options.add_site_option('site_name', 'Hookpress Network');
    options.add_site_option('admin_email', config.adminEmail);
    options.add_site_option('site_admins', []);
    if (sync) sites.ensureMainSite('Main Site', config.adminEmail);
    else await sites.ensureMainSiteAsync('Main Site', config.adminEmail);
  });
  let generatedAdminPassword: string | undefined;
  await retry('creating the super admin', async () => {
    if ((sync ? users.count() : await users.countAsync()) !== 0) return;
    const password = config.adminPassword ?? generatePassword();
    const { user } = await users.create({ login: config.adminUser, email: config.adminEmail, password });
    if (sync) users.grant_super_admin(user.id);
    else await users.grantSuperAdmin(user.id);
    if (!config.adminPassword) generatedAdminPassword = password;
    logger.info({ login: user.login }, 'created the super admin');
  });
  // PostgreSQL: the schedule the synchronous cron API (plugins' wp_next_scheduled at load) reads.
  await host.cron.load();

  // Loads the active plugins, then fires plugins_loaded and init (plugin errors contained).
  const plugins = new PluginManager(host);
  host.rest.ownerActive = (owner) => plugins.isActive(owner);
  await plugins.start();
  // Another process's Network Activate / Deactivate (the option changed): load or unload here too.
  const unfollow = optionsSync.subscribe(() => void plugins.sync());
  // A change that arrived while the plugins were loading.
  await plugins.sync();
  // PostgreSQL: the start-up's background writes (options, schedules) are in before the next process starts.
  await options.flush();
  await host.cron.flush();
  if (config.runScheduler) host.cron.start();

  const shell = new AdminShell({
    hooks,
    menu,
    notices,
    options,
    users,
    nonces,
    viewsDir: VIEWS,
  });
  const sessionStore = new DatabaseSessionStore(query.db, config.clock);
  // Purges every limiter's expired counters (the prefix only matters for counting).
  const rateLimits = new DatabaseRateLimitStore(query.db, '', config.clock);

  const app = express();
  app.disable('x-powered-by');
  // Each request is a unit of work: answered only once the writes it deferred are committed.
  app.use(unitOfWorkMiddleware(logger));
  // Which X-Forwarded-For hops to believe for req.ip (TRUST_PROXY); throttles key on req.ip.
  app.set('trust proxy', config.trustProxy ?? false);
  app.set('views', VIEWS);
  app.set('view engine', 'ejs');
  // Another process's option writes (a super admin revoked elsewhere) count from this request on;
  // a plugin it activated or deactivated is loaded or unloaded before the request goes on.
  app.use((_req, _res, next) => {
    try {
      optionsSync.check();
    } catch (error) {
      return next(error);
    }
    const following = plugins.pendingSync();
    if (!following) return next();
    following.then(() => next(), next);
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          // Served over plain HTTP on loopback by default; do not force https sub-resources.
          upgradeInsecureRequests: null,
        },
      },
      strictTransportSecurity: false,
    }),
  );
  // For a load balancer: before sessions, throttles and authentication — no cookie, no limit, no credentials.
  app.get('/healthz', healthzHandler(raw ? () => checkDatabase(db) : () => checkQueryLayer(query.db), logger));
  const pluginAssets = new Map<string, express.RequestHandler>();
  app.use('/assets/plugins/:slug', (req, res, next) => {
    const slug = req.params.slug!;
    if (!/^[a-z0-9-]+$/.test(slug) || !plugins.isActive(slug)) return next();
    let serve = pluginAssets.get(slug);
    if (!serve) {
      serve = express.static(path.join(config.pluginsDir, slug, 'public'), { fallthrough: false, index: false });
      pluginAssets.set(slug, serve);
    }
    serve(req, res, next);
  });
  app.use('/assets', express.static(PUBLIC, { fallthrough: false, index: false }));
  // Browsers ask for /favicon.ico on every page; answer it rather than log a 404 each time.
  app.get('/favicon.ico', (_req, res) => res.sendFile(path.join(PUBLIC, 'favicon.ico'), { maxAge: '7d' }));
  // Plugins' public routes (webhook receivers…) see the raw body: before any parser or session.
  app.use(publicPluginRoutes(host));
  const sessions = session({
    store: sessionStore,
    secret: secret.toString('hex'),
    name: 'hookpress_session',
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto' },
  });
  // The REST API parses its own bodies (JSON, 400/413 in WordPress's error shape).
  const restThrottle = new RestAuthThrottle(host.config.loginAttempts, query.db, config.clock, host.users);
  app.use('/wp-json', host.rest.router(throttledAuthenticator(restAuthenticator(host, host.apiKey, host.appPasswords), restThrottle), sessions));
  app.use(express.urlencoded({ extended: false, limit: MAX_FORM_BYTES, parameterLimit: MAX_FORM_FIELDS }));
  app.use(sessions);
  // A changed session (a notice before a redirect) is stored before the browser gets the answer.
  app.use(sessionSavedFirst(logger));
  // Private pages are never cached (WordPress: nocache_headers() on the admin and the login screen).
  app.use(['/wp-login.php', '/wp-admin'], nocacheHeaders);
  app.use(loginRoutes(host, VIEWS, () => shell.networkName()));
  app.get(['/', '/wp-admin'], (_req, res) => res.redirect(302, '/wp-admin/network/'));
  app.use('/wp-admin/network', (req, res, next) => {
    // Express matches with or without the trailing slash; WordPress's admin lives at the slash.
    if (req.originalUrl.split('?')[0] === '/wp-admin/network') return res.redirect(302, '/wp-admin/network/');
    next();
  });
  app.use('/wp-admin/network', adminRoutes({ host, shell, plugins }));
  app.use(() => {
    throw new HttpError(404, 'The page you are looking for does not exist.', 'Not Found');
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    // A storage fault (busy, full, I/O, corrupt; PostgreSQL unreachable) is a 503 the user can
    // retry, never a crash; a value PostgreSQL refuses is a 400. The same classifier as REST's.
    const fault = classifyStorageFault(err, query.dialect);
    if (fault?.status === 503) {
      logger.warn({ err, code: fault.fault, url: req.originalUrl }, 'storage fault; answered 503');
      if (res.headersSent) return;
      res.set('Retry-After', String(fault.retryAfter));
      if (!req.accepts('html') && req.accepts('json')) return void res.status(503).json({ code: fault.code, message: fault.message, data: { status: 503 } });
      return void res.status(503).render('standalone', { title: fault.title, message: fault.message, backUrl: '' });
    }
    if (fault && !res.headersSent) {
      return void res.status(fault.status).render('standalone', { title: fault.title, message: fault.message, backUrl: '' });
    }
    const typed = err instanceof HookpressError ? err : undefined;
    const parserRefusal = (err as { type?: unknown })?.type;
    if ((parserRefusal === 'entity.too.large' || parserRefusal === 'parameters.too.many') && !res.headersSent) {
      // The body parser refused a form over a limit: say which, and how to get the input back.
      return void res.status(413).render('standalone', formTooLargePage(req, parserRefusal === 'parameters.too.many' ? 'many-fields' : 'large'));
    }
    const status = typed ? typed.status : typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
    if (status >= 500) logger.error({ err, url: req.originalUrl }, 'request failed');
    const title = err instanceof HttpError ? err.title : status === 413 ? 'Payload Too Large' : status < 500 ? 'Bad Request' : 'Something went wrong';
    const message =
      typed && status < 500 ? typed.message : status < 500 ? 'The request could not be understood.' : 'The server could not complete your request. The error has been logged.';
    if (res.headersSent) return;
    const back = err instanceof HttpError ? err.back : undefined;
    const exits = status === 403 ? switchUserLinks(req) : { note: '', links: [] };
    res.status(status).render('standalone', {
      title,
      message: exits.note ? `${message} ${exits.note}` : message,
      backUrl: back?.url ?? (status === 404 ? '/wp-admin/network/' : ''),
      backLabel: back?.label,
      links: exits.links,
    });
  });

  /**
   * On a 403 for a logged-in user: Log Out and "Log in as someone else" (WordPress offers a way
   * out too), so an account without network rights is never stuck on the error page.
   */
  function switchUserLinks(req: Request): { note: string; links: Array<{ href: string; label: string }> } {
    const userId = req.session?.userId;
    const user = userId ? host.users.get(userId) : undefined;
    if (!user) return { note: '', links: [] };
    const note = host.users.user_can(user.id, 'manage_network') ? '' : `You are logged in as ${user.login}, who does not have network admin rights.`;
    const logout = `/wp-login.php?action=logout&_wpnonce=${host.nonces.create('log-out', user.id, req.session.token ?? '')}`;
    return {
      note,
      links: [
        { href: logout, label: 'Log Out' },
        { href: `${logout}&redirect_to=${encodeURIComponent('/wp-admin/network/')}`, label: 'Log in as someone else' },
      ],
    };
  }

  let server: http.Server | undefined;
  const purge = setInterval(() => {
    // A timer must never fail the process; the next purge catches up.
    sessionStore.purgeExpired().catch((error: unknown) => logger.warn({ err: error }, 'purging expired sessions failed'));
    rateLimits.purgeExpired().catch((error: unknown) => logger.warn({ err: error }, 'purging expired login counters failed'));
    transientsStore.purgeExpired(Math.floor(config.clock() / 1000)).catch((error: unknown) => logger.warn({ err: error }, 'purging expired site transients failed'));
  }, 60 * 60 * 1000);
  purge.unref();
  let closed = false;

  return {
    app,
    hooks,
    db,
    query,
    plugins,
    host,
    config,
    optionsSync,
    generatedAdminPassword,
    async start() {
      server = http.createServer(app);
      // While closing, a keep-alive connection is closed as soon as its last response is sent.
      server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
        res.on('finish', () => {
          if (closed) setImmediate(() => server?.closeIdleConnections());
        });
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(config.port, config.host, () => resolve());
      });
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      baseUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      hooks.do_action('hookpress_listening', baseUrl);
      return baseUrl;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(purge);
      host.cron.stop();
      await optionsSync.stop();
      unfollow();
      await plugins.pendingSync();
      if (server) {
        const done = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections();
        await done;
      }
      await hooks.do_action_async('shutdown', '');
      plugins.unloadAll();
      // PostgreSQL: writes still in the background reach the database before the pool ends.
      await options.flush();
      await host.cron.flush();
      await query.close();
      if (raw) db.close();
      releaseLock();
    },
  };
}
