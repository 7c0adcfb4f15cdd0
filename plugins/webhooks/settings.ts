import { DEFAULT_SCHEDULE_MS, parseSchedule } from './delivery/retry-policy.js';
import { parseAllowList } from './delivery/ssrf-guard.js';

export interface WebhookSettings {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  /** Reading a response body once its status arrived (ms): a trickling 2xx is still a success. */
  bodyTimeoutMs: number;
  maxResponseBytes: number;
  /** On shutdown, how long deliveries in flight may finish before they are aborted (ms). */
  stopGraceMs: number;
  schedule: number[];
  /** A webhook failing continuously this long, with an exhausted delivery, is disabled. */
  disableAfterMs: number;
  /** How long the previous secret stays valid after a rotation. */
  rotationGraceMs: number;
  retentionMs: number;
  concurrency: number;
  perEndpoint: number;
  leaseMs: number;
  batchSize: number;
  pollMs: number;
  /** CIDRs from the environment (WEBHOOKS_ALLOW_NETWORKS) and configuration. */
  allowNetworks: string;
  /** Start the background delivery loop (tests drive the worker by hand instead). */
  autoStart: boolean;
  inspector: { ttlMs: number; maxRequests: number; maxBodyBytes: number; ratePerMinute: number };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function num(value: unknown, name: string, fallback: number, min = 0): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new TypeError(`Webhooks setting ${name} must be a number ≥ ${min}; got ${JSON.stringify(value)}.`);
  return n;
}

/**
 * How long a claimed delivery stays leased (ms; default 5 min). It is also how long a killed
 * process's deliveries wait before another process (or the restarted one) takes them over.
 * @throws TypeError when shorter than one attempt may take (`totalTimeoutMs`): attempts still
 * running would be taken over and sent twice.
 */
function leaseMs(value: unknown, totalTimeoutMs: number): number {
  const ms = num(value, 'leaseMs', 5 * 60_000, 1);
  if (value !== undefined && value !== null && value !== '' && ms < totalTimeoutMs) {
    throw new TypeError(`Webhooks setting leaseMs (${ms}) must be at least the total timeout of an attempt (${totalTimeoutMs} ms).`);
  }
  return ms;
}

/** Settings from config.plugins.webhooks, overridden by WEBHOOKS_* environment variables. */
export function resolveSettings(config: Record<string, unknown>, env: Record<string, string | undefined>): WebhookSettings {
  const scheduleText = env.WEBHOOKS_RETRY_SCHEDULE ?? (typeof config.schedule === 'string' ? config.schedule : undefined);
  const allowNetworks = [env.WEBHOOKS_ALLOW_NETWORKS, typeof config.allowNetworks === 'string' ? config.allowNetworks : undefined].filter(Boolean).join(',');
  parseAllowList(allowNetworks); // fail at start, with the bad entry named, not at first delivery
  return {
    connectTimeoutMs: num(env.WEBHOOKS_CONNECT_TIMEOUT_MS ?? config.connectTimeoutMs, 'connectTimeoutMs', 5_000, 1),
    totalTimeoutMs: num(env.WEBHOOKS_TIMEOUT_MS ?? config.totalTimeoutMs, 'totalTimeoutMs', 15_000, 1),
    bodyTimeoutMs: num(env.WEBHOOKS_BODY_TIMEOUT_MS ?? config.bodyTimeoutMs, 'bodyTimeoutMs', 2_000, 1),
    stopGraceMs: num(env.WEBHOOKS_STOP_GRACE_MS ?? config.stopGraceMs, 'stopGraceMs', 10_000, 0),
    maxResponseBytes: num(config.maxResponseBytes, 'maxResponseBytes', 20 * 1024, 0),
    schedule: Array.isArray(config.schedule) ? (config.schedule as number[]) : scheduleText ? parseSchedule(scheduleText) : [...DEFAULT_SCHEDULE_MS],
    disableAfterMs: num(env.WEBHOOKS_DISABLE_AFTER_HOURS !== undefined ? Number(env.WEBHOOKS_DISABLE_AFTER_HOURS) * HOUR : config.disableAfterMs, 'disableAfterMs', 5 * DAY),
    rotationGraceMs: num(config.rotationGraceMs, 'rotationGraceMs', DAY),
    retentionMs: num(env.WEBHOOKS_RETENTION_DAYS !== undefined ? Number(env.WEBHOOKS_RETENTION_DAYS) * DAY : config.retentionMs, 'retentionMs', 30 * DAY),
    concurrency: num(env.WEBHOOKS_CONCURRENCY ?? config.concurrency, 'concurrency', 64, 1),
    perEndpoint: num(env.WEBHOOKS_PER_ENDPOINT ?? config.perEndpoint, 'perEndpoint', 16, 1),
    leaseMs: leaseMs(env.WEBHOOKS_LEASE_MS ?? config.leaseMs, num(env.WEBHOOKS_TIMEOUT_MS ?? config.totalTimeoutMs, 'totalTimeoutMs', 15_000, 1)),
    batchSize: num(config.batchSize, 'batchSize', 256, 1),
    pollMs: num(config.pollMs, 'pollMs', 1_000, 1),
    allowNetworks,
    autoStart: config.autoStart !== false,
    inspector: {
      ttlMs: num(env.WEBHOOKS_INSPECTOR_TTL_HOURS !== undefined ? Number(env.WEBHOOKS_INSPECTOR_TTL_HOURS) * HOUR : config.inspectorTtlMs, 'inspectorTtlMs', DAY, 1),
      maxRequests: num(config.inspectorMaxRequests, 'inspectorMaxRequests', 50, 1),
      maxBodyBytes: num(config.inspectorMaxBodyBytes, 'inspectorMaxBodyBytes', 256 * 1024, 1),
      ratePerMinute: num(config.inspectorRatePerMinute, 'inspectorRatePerMinute', 120, 1),
    },
  };
}
