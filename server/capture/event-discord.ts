/**
 * Discord interactions carry their kind as a number (`"type": 2`), which the
 * generic body conventions skip (they read string types only), and their
 * `id` is the interaction's. Read only for a request Discord sent, known by
 * its `X-Signature-Ed25519` header or its `Discord-Interactions/` user agent
 * (as capture/provider.ts knows it): elsewhere a numeric `type` means
 * something else.
 */
import type { HeaderPair } from '../common/types.js';

/** Discord's interaction types, by number, in words (discord.com/developers/docs/interactions/receiving-and-responding). */
export const DISCORD_INTERACTION_TYPES: Readonly<Record<number, string>> = {
  1: 'ping',
  2: 'application_command',
  3: 'message_component',
  4: 'autocomplete',
  5: 'modal_submit',
};

/** Whether the request is a Discord interaction by its headers. */
export function isDiscordRequest(headers: readonly HeaderPair[]): boolean {
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === 'x-signature-ed25519') return true;
    if (lower === 'user-agent' && value.trimStart().startsWith('Discord-Interactions/')) return true;
  }
  return false;
}

/** The interaction type in words for a known `type` number; null for any other value. */
export function discordInteractionType(type: unknown): string | null {
  return typeof type === 'number' && Object.hasOwn(DISCORD_INTERACTION_TYPES, type) ? DISCORD_INTERACTION_TYPES[type]! : null;
}
