/**
 * Providers that post a batch of events as one JSON array (HubSpot, SendGrid):
 * the key and type of the whole delivery, read from every element. Pure; the
 * event identity calls it when the body is an array.
 */

/** Per-event id fields of batch elements, first found in every element wins: HubSpot's `eventId`, SendGrid's `sg_event_id`. */
export const BATCH_KEY_FIELDS: readonly string[] = ['eventId', 'sg_event_id'];
/** Per-event type fields of batch elements, first found wins: HubSpot's `subscriptionType`, SendGrid's `event`. */
export const BATCH_TYPE_FIELDS: readonly string[] = ['subscriptionType', 'event'];
/** Elements read at most (HubSpot sends up to 100, SendGrid a few hundred); longer batches count by their first ones. */
const MAX_ELEMENTS = 1000;

/** A batch's key and type with where they were read (`body:/` + `*` + `/<field>`: that field of every element); null when none was found. */
export interface BatchIdentity {
  key: { value: string; source: string } | null;
  type: { value: string; source: string } | null;
}

function fieldOf(element: unknown, field: string): unknown {
  return element !== null && typeof element === 'object' && !Array.isArray(element) && Object.hasOwn(element, field)
    ? (element as Record<string, unknown>)[field]
    : undefined;
}

/** Strings and finite numbers, as text; else null. */
function text(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/**
 * The key of a batch is every element's id, comma-separated (a retry of
 * the batch carries the same ids), when every element has one in the same
 * field; its type the distinct types in order of first appearance,
 * comma-separated (`delivered,open`). Uncapped: the caller caps both.
 */
export function batchIdentity(doc: unknown): BatchIdentity {
  const none: BatchIdentity = { key: null, type: null };
  if (!Array.isArray(doc) || doc.length === 0) return none;
  const elements = doc.slice(0, MAX_ELEMENTS);
  let key: BatchIdentity['key'] = null;
  for (const field of BATCH_KEY_FIELDS) {
    const ids = elements.map((e) => text(fieldOf(e, field)));
    if (ids.every((id) => id !== null)) {
      key = { value: ids.join(','), source: `body:/*/${field}` };
      break;
    }
  }
  let type: BatchIdentity['type'] = null;
  for (const field of BATCH_TYPE_FIELDS) {
    const types = [...new Set(elements.map((e) => fieldOf(e, field)).filter((v): v is string => typeof v === 'string' && v.trim() !== ''))];
    if (types.length > 0) {
      type = { value: types.join(','), source: `body:/*/${field}` };
      break;
    }
  }
  return { key, type };
}
