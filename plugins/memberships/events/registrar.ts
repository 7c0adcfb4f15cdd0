/**
 * The shapes of the webhooks plugin's registration API that this plugin uses (structural, so
 * nothing of plugins/webhooks is imported).
 */
export interface EventTypeDefinition {
  name: string;
  desc: string;
  payload: Record<string, unknown> | (() => Record<string, unknown>);
  group?: string;
  source?: string;
  hook?: { action: string; accepted_args?: number; priority?: number; to_payload: (...args: never[]) => Record<string, unknown> | null | undefined };
}
export interface EventRegistrar {
  wu_register_event_type(slug: string, def: EventTypeDefinition): void;
}
