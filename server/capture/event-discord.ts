/**
 * Discord interactions carry their kind as a number (`"type": 2`), which the
 * generic body conventions skip (they read string types only), and their
 * `id` is the interaction's. Read only for a request Discord sent, known by
 * its `X-Signature-Ed25519` header or its `Discord-Interactions/` user agent
 * (as capture/provider.ts knows it): elsewhere a numeric `type` means
 * something else.
 */
import { indexHeaders, type HeaderIndex } from '../common/header-index.js';
import type { HeaderPair } from '../common/types.js';

/** Discord's interaction types, by number, in words (discord.com/developers/docs/interactions/receiving-and-responding). */
export const DISCORD_INTERACTION_TYPES: Readonly<Record<number, string>> = {
  1: 'ping',
  2: 'application_command',
  3: 'message_component',
  4: 'autocomplete',
  5: 'modal_submit',
};

/**
 * Whether the request is a Discord interaction by its headers: an
 * `X-Signature-Ed25519`, or any `User-Agent` of Discord's. `index` is
 * `headers` indexed, when the caller has it already.
 */
export function isDiscordRequest(headers: readonly HeaderPair[], index: HeaderIndex = indexHeaders(headers)): boolean {
  if (index.has('x-signature-ed25519')) return true;
  // Every User-Agent counts, not only the first: scanned only when there is one.
  if (!index.has('user-agent')) return false;
  for (const [name, value] of headers) {
    if (value.trimStart().startsWith('Discord-Interactions/') && name.toLowerCase() === 'user-agent') return true;
  }
  return false;
}

/** The interaction type in words for a known `type` number; null for any other value. */
export function discordInteractionType(type: unknown): string | null {
  return typeof type === 'number' && Object.hasOwn(DISCORD_INTERACTION_TYPES, type) ? DISCORD_INTERACTION_TYPES[type]! : null;
}
