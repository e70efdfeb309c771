/**
 * The export and import slice: which one is running, and the sentence the
 * bin's header shows after it (how many captures came in, or why the file
 * was refused, with its line). The model's live side reloads the list
 * (`captures.imported`).
 */
import { signal } from '@preact/signals';
import type { TransferFormat } from '../../../server/common/limits.js';
import type { ServerMessage } from '../../../server/common/types.js';
import { errorMessage, isAuthError } from '../api/http.js';
import type { ImportResult, TransferApi } from '../api/transfer.js';

/** What the header says after an export or import. */
export interface TransferNotice {
  /** The bin it is about: shown in that bin's header only. */
  binId: string;
  tone: 'ok' | 'error';
  text: string;
}

/** The sentence after an import: how many came in, and how many old ones retention pruned. */
export function importNotice(r: Pick<ImportResult, 'imported' | 'pruned'>, fileName: string): string {
  const n = `${r.imported.toLocaleString()} ${r.imported === 1 ? 'capture' : 'captures'}`;
  return `Imported ${n} from ${fileName}${r.pruned > 0 ? `; retention pruned the ${r.pruned.toLocaleString()} oldest` : ''}.`;
}

/** The transfer slice over `api`; `apply` takes what changed as live messages, `onAuth` a refused token. */
export function createTransfer(api: TransferApi, deps: { apply: (msg: ServerMessage) => void; onAuth: () => void }) {
  const busy = signal<'export' | 'import' | null>(null);
  const notice = signal<TransferNotice | null>(null);

  const failed = (binId: string, err: unknown, what: string) => {
    if (isAuthError(err)) deps.onAuth();
    notice.value = { binId, tone: 'error', text: `${what}: ${errorMessage(err)}` };
  };

  /** Downloads the bin's export; a bin known to hold no captures (`count` 0) gets a sentence instead of an empty file. */
  async function exportBin(binId: string, format: TransferFormat, count?: number): Promise<void> {
    if (busy.value) return;
    if (count === 0) {
      notice.value = { binId, tone: 'ok', text: 'This bin has no captures yet: there is nothing to export.' };
      return;
    }
    busy.value = 'export';
    notice.value = null;
    try {
      await api.exportBin(binId, format);
    } catch (err) {
      failed(binId, err, 'Export failed');
    } finally {
      busy.value = null;
    }
  }

  async function importFile(binId: string, file: File): Promise<void> {
    if (busy.value) return;
    busy.value = 'import';
    notice.value = null;
    try {
      const r = await api.importFile(binId, file);
      deps.apply({ type: 'bin.updated', bin: r.bin });
      deps.apply({ type: 'captures.imported', binId, imported: r.imported, pruned: r.pruned });
      notice.value = { binId, tone: 'ok', text: importNotice(r, file.name) };
    } catch (err) {
      failed(binId, err, `${file.name} was not imported`);
    } finally {
      busy.value = null;
    }
  }

  return { busy, notice, exportBin, importFile, dismiss: () => (notice.value = null) };
}

export type TransferModel = ReturnType<typeof createTransfer>;
