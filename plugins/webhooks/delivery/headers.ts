import { signatureHeader } from './signing.js';

export const USER_AGENT_PRODUCT = 'Hookpress-Webhooks';

/** The request headers of one attempt: Standard Webhooks plus the event name (and test mark). */
export function deliveryHeaders(o: {
  msgId: string;
  timestamp: number;
  body: string;
  secrets: readonly string[];
  event: string;
  version: string;
  isTest: boolean;
}): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': `${USER_AGENT_PRODUCT}/${o.version} (Hookpress)`,
    'webhook-id': o.msgId,
    'webhook-timestamp': String(o.timestamp),
    'webhook-signature': signatureHeader(o.secrets, o.msgId, o.timestamp, o.body),
    'x-hookpress-event': o.event,
  };
  if (o.isTest) headers['x-hookpress-test'] = 'true';
  return headers;
}
