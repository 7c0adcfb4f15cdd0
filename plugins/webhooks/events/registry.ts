import type { Hooks } from '../../../core/plugin-sdk.js';
import { WebhookError } from '../errors.js';

export type Payload = Record<string, unknown>;

/** Binds an event to any action: each firing of `action` becomes the event. */
export interface EventHookBinding {
  action: string;
  accepted_args?: number;
  priority?: number;
  /** Builds the payload from the action's arguments; return null to skip this firing. */
  to_payload: (...args: never[]) => Payload | null | undefined;
}

export interface EventTypeDefinition {
  /** Label shown to admins, e.g. "Payment Received". */
  name: string;
  /** What the event means and when it fires. */
  desc: string;
  /** A sample payload, or a function returning one (called when the sample is needed). */
  payload: Payload | (() => Payload);
  /** Group label in the event dropdown. */
  group?: string;
  /** The plugin that registers it, shown in the catalogue. */
  source?: string;
  hook?: EventHookBinding;
}

export interface EventType {
  slug: string;
  name: string;
  desc: string;
  group: string;
  /** The plugin that registered it. */
  source: string;
  sample(): Payload;
  hook?: EventHookBinding;
}

const SLUG_RE = /^[a-z0-9_]{2,64}$/;

/**
 * The events registry: the original product's API (`wu_register_event_type`,
 * `wu_get_event_types`, `wu_get_event_type`) plus action bindings.
 */
/** The origin sample payloads write their URLs on: `npm start`'s default address. */
export const SAMPLE_ORIGIN = 'http://127.0.0.1:8080';

/** Replaces SAMPLE_ORIGIN at the start of every string in a sample with the host's real origin. */
function withHostUrls<T>(value: T, origin: string): T {
  if (origin === SAMPLE_ORIGIN) return value;
  if (typeof value === 'string') return (value.startsWith(SAMPLE_ORIGIN) ? origin + value.slice(SAMPLE_ORIGIN.length) : value) as T;
  if (Array.isArray(value)) return value.map((v) => withHostUrls(v, origin)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withHostUrls(v, origin)])) as T;
  }
  return value;
}

export class EventRegistry {
  private readonly types = new Map<string, EventType>();
  private readonly bindings = new Map<string, (...args: unknown[]) => void>();

  /**
   * `homeUrl` is the host's real base URL (e.g. http://127.0.0.1:41237): sample payloads may
   * write their URLs on SAMPLE_ORIGIN, the default address, and are shown and sent with it.
   */
  constructor(
    private readonly hooks: Hooks,
    private readonly fire: (slug: string, payload: Payload) => unknown,
    private readonly homeUrl: () => string = () => SAMPLE_ORIGIN,
  ) {}

  register(slug: string, def: EventTypeDefinition, source: string): EventType {
    if (typeof slug !== 'string' || !SLUG_RE.test(slug)) {
      throw new WebhookError('EVENT_TYPE_INVALID', `An event slug must be 2–64 lowercase letters, digits or underscores; got ${JSON.stringify(slug)}.`, 'slug');
    }
    if (!def || typeof def.name !== 'string' || !def.name.trim()) {
      throw new WebhookError('EVENT_TYPE_INVALID', `Event "${slug}" needs a name.`, 'name');
    }
    if (typeof def.desc !== 'string') throw new WebhookError('EVENT_TYPE_INVALID', `Event "${slug}" needs a description (desc).`, 'desc');
    const payload = def.payload;
    if (typeof payload !== 'function' && (payload === null || typeof payload !== 'object' || Array.isArray(payload))) {
      throw new WebhookError('EVENT_TYPE_INVALID', `The sample payload of event "${slug}" must be an object or a function returning one.`, 'payload');
    }
    if (def.hook && (typeof def.hook.action !== 'string' || typeof def.hook.to_payload !== 'function')) {
      throw new WebhookError('EVENT_TYPE_INVALID', `The hook binding of event "${slug}" needs an action name and a to_payload function.`, 'hook');
    }
    this.unbind(slug);
    const type: EventType = {
      slug,
      name: def.name.trim(),
      desc: def.desc,
      group: def.group ?? 'Other',
      source: def.source ?? source,
      sample: () => {
        const value = typeof payload === 'function' ? payload() : payload;
        return withHostUrls(structuredClone(value), this.homeUrl());
      },
      hook: def.hook,
    };
    this.types.set(slug, type);
    if (def.hook) this.bind(type, def.hook);
    return type;
  }

  get(slug: string): EventType | undefined {
    return this.types.get(slug);
  }

  all(): EventType[] {
    return [...this.types.values()];
  }

  has(slug: string): boolean {
    return this.types.has(slug);
  }

  /** Forgets every type (and its action binding): the registry is rebuilt when plugins change. */
  clear(): void {
    for (const slug of [...this.types.keys()]) this.unbind(slug);
    this.types.clear();
  }

  private bind(type: EventType, binding: EventHookBinding): void {
    const listener = (...args: unknown[]): void => {
      const payload = (binding.to_payload as (...a: unknown[]) => Payload | null | undefined)(...args);
      if (payload) this.fire(type.slug, payload);
    };
    this.hooks.add_action(binding.action, listener, binding.priority ?? 10, binding.accepted_args ?? 1);
    this.bindings.set(type.slug, listener);
  }

  private unbind(slug: string): void {
    const listener = this.bindings.get(slug);
    const type = this.types.get(slug);
    if (listener && type?.hook) this.hooks.remove_action(type.hook.action, listener, type.hook.priority ?? 10);
    this.bindings.delete(slug);
  }
}
