/**
 * Downloads that need the token. A plain `<a href="/api/…" download>` would
 * need the token in a cookie or in the URL; instead the bytes are fetched
 * through the API transport (the token in `Authorization`) and handed to the
 * browser as a short-lived blob URL.
 */
import type { Api } from './http.js';

/** Saves `blob` as a file named `filename`, as a download link would. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the click; the URL only has to outlive that.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Reads a capture's exact body bytes through `api` and saves them; throws `ApiRequestError` when the API refuses. */
export async function downloadBody(api: Pick<Api, 'getBody'>, id: string, filename: string): Promise<void> {
  const { bytes } = await api.getBody(id, false);
  saveBlob(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), filename);
}
