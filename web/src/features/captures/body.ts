/** Which views the body viewer offers for a body, and which one opens first. */

export type BodyTab = 'json' | 'form' | 'parts' | 'text' | 'hex' | 'decoded';

export interface BodyFacts {
  size: number;
  /** The body as UTF-8 text, or null when it is not valid UTF-8. */
  text: string | null;
  contentType: string | null;
  /** Content-Encodings to undo (identity removed). */
  encodings: readonly string[];
  /** True when the text parsed as one JSON document. */
  json: boolean;
  /** True for a `multipart/*` Content-Type: the parts view comes first. */
  multipart?: boolean;
}

/**
 * The tabs in display order; the first is the default. Empty for an empty
 * body. Every body has a text tab: a UTF-8 one before the hex dump, any other
 * after it (shown lossy, so the hex dump opens first for binary bytes).
 */
export function bodyTabs(f: BodyFacts): BodyTab[] {
  if (f.size === 0) return [];
  const tabs: BodyTab[] = [];
  if (f.encodings.length > 0) tabs.push('decoded');
  if (f.multipart) tabs.push('parts');
  if (f.text !== null && f.json) tabs.push('json');
  if (f.text !== null && isForm(f.contentType)) tabs.push('form');
  if (f.text !== null) tabs.push('text');
  tabs.push('hex');
  if (f.text === null) tabs.push('text');
  return tabs;
}

export function isForm(contentType: string | null): boolean {
  return contentType !== null && /^\s*application\/x-www-form-urlencoded\b/i.test(contentType);
}

/** A tab's label; the text tab is "Text" whatever else the body offers, since every body has one. */
export function tabLabel(tab: BodyTab, encodings: readonly string[]): string {
  switch (tab) {
    case 'json':
      return 'JSON';
    case 'form':
      return 'Form';
    case 'parts':
      return 'Parts';
    case 'text':
      return 'Text';
    case 'hex':
      return 'Hex';
    case 'decoded':
      return `Decoded (${encodings.join(', ')})`;
  }
}

/**
 * A body the capture JSON carries only in part (over `INLINE_BODY_BYTES`,
 * server/common/body-inline.ts) is loaded whole at once up to this size; a larger
 * one waits for "Load the whole body".
 */
export const AUTO_LOAD_BYTES = 1024 * 1024;

/** Whether a partly inlined body of `size` bytes loads whole on its own. */
export function loadsWholeAtOnce(size: number): boolean {
  return size <= AUTO_LOAD_BYTES;
}

/**
 * Whether the capture JSON carries only the first part of the stored body
 * (the one test every view uses: the body views, Copy as cURL, Edit and resend).
 */
export function isPartialBody(c: { bodyInline: { truncated: boolean } }): boolean {
  return c.bodyInline.truncated;
}

/** Bodies larger than this are not parsed for the tree (they open as text). */
export const MAX_TREE_CHARS = 5 * 1024 * 1024;
/** Characters of text shown before "Show all". */
export const TEXT_PREVIEW_CHARS = 512 * 1024;
