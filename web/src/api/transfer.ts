/**
 * A bin's captures out and back in over the API: the export (NDJSON or HAR)
 * fetched with the token and saved as a download, and an import posted as
 * the file's bytes. Errors are the API's (`ApiRequestError`), so an import
 * refused for a bad line says `line N: …`.
 */
import type { Bin } from '../../../server/common/types.js';
import type { TransferFormat } from '../../../server/common/limits.js';
import { apiFetch, fail } from './http.js';
import { saveBlob } from './download.js';

/** What `POST /api/bins/{id}/import` answers. */
export interface ImportResult {
  format: TransferFormat;
  imported: number;
  pruned: number;
  /** The bin after the import (its capture count). */
  bin: Bin;
}

/** The transport the transfer slice uses (the tests pass a fake). */
export interface TransferApi {
  /** Fetches the export and saves it under the name hookbin gives it. */
  exportBin(binId: string, format: TransferFormat): Promise<void>;
  importFile(binId: string, file: Blob): Promise<ImportResult>;
}

/** The file name of a `Content-Disposition: attachment; filename="…"`, else `fallback`. */
export function attachmentName(disposition: string | null, fallback: string): string {
  const name = /filename="([^"/\\]{1,200})"/.exec(disposition ?? '')?.[1];
  return name ?? fallback;
}

const seg = encodeURIComponent;

export const transferApi: TransferApi = {
  async exportBin(binId, format) {
    const res = await apiFetch(`/api/bins/${seg(binId)}/export?format=${format}`, { headers: { accept: '*/*' } });
    if (!res.ok) return fail(res);
    const blob = await res.blob();
    saveBlob(blob, attachmentName(res.headers.get('content-disposition'), `hookbin-${binId}.${format}`));
  },
  async importFile(binId, file) {
    const res = await apiFetch(`/api/bins/${seg(binId)}/import`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/octet-stream' }, body: file });
    if (!res.ok) return fail(res);
    return (await res.json()) as ImportResult;
  },
};
