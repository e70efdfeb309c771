/**
 * The export and import slice over a fake transport, and the model's side of
 * an import: the live `captures.imported` reloads the selected bin's list;
 * the words the header shows, the file name hookbin's download carries.
 */
import { describe, expect, it } from 'vitest';
import type { Bin } from '../../server/common/types.js';
import { ApiRequestError } from '../../web/src/api/http.js';
import { attachmentName, type TransferApi } from '../../web/src/api/transfer.js';
import { createModel } from '../../web/src/state/model.js';
import { createTransfer, importNotice } from '../../web/src/state/transfer.js';
import { bin, cap, fakeApi, ids, newestFirst } from '../support/web-fixtures.js';

const file = (name: string) => new File(['x'], name);

describe('an import in the model', () => {
  it('captures.imported for the selected bin reads the new rows into its list', async () => {
    const fake = fakeApi([cap(2), cap(1)]);
    const m = createModel(fake.api);
    await m.resync();
    fake.add(cap(3));
    fake.add(cap(4));
    m.apply({ type: 'captures.imported', binId: 'bin1', imported: 2, pruned: 0 });
    await expect.poll(() => ids(m.list.value.items)).toEqual(newestFirst(4, 3, 2, 1));
  });

  it('the slice applies the bin and the message, and says how many came in', async () => {
    const applied: string[] = [];
    const counted: Bin = bin('bin1', { captureCount: 5 });
    const api: TransferApi = { exportBin: async () => undefined, importFile: async () => ({ format: 'ndjson', imported: 5, pruned: 2, bin: counted }) };
    const t = createTransfer(api, { apply: (msg) => applied.push(msg.type), onAuth: () => undefined });
    await t.importFile('bin1', file('a.ndjson'));
    expect(applied).toEqual(['bin.updated', 'captures.imported']);
    expect(t.notice.value).toEqual({ binId: 'bin1', tone: 'ok', text: 'Imported 5 captures from a.ndjson; retention pruned the 2 oldest.' });
    expect(t.busy.value).toBeNull();
  });

  it('a refused file is told with the API message (its line), nothing applied; a refused token asks for one', async () => {
    const applied: string[] = [];
    let auth = 0;
    let error: ApiRequestError = new ApiRequestError(400, 'invalid_import', 'line 7: body is not base64');
    const api: TransferApi = {
      exportBin: async () => Promise.reject(error),
      importFile: async () => Promise.reject(error),
    };
    const t = createTransfer(api, { apply: (msg) => applied.push(msg.type), onAuth: () => auth++ });
    await t.importFile('bin1', file('b.ndjson'));
    expect(t.notice.value).toEqual({ binId: 'bin1', tone: 'error', text: 'b.ndjson was not imported: line 7: body is not base64' });
    expect(applied).toEqual([]);
    error = new ApiRequestError(401, 'unauthorized', 'a token is required');
    await t.exportBin('bin1', 'har');
    expect(t.notice.value?.tone).toBe('error');
    expect(auth).toBe(1);
  });
});

describe('words and names', () => {
  it('importNotice counts in the singular and leaves out retention when nothing was pruned', () => {
    expect(importNotice({ imported: 1, pruned: 0 }, 'x.har')).toBe('Imported 1 capture from x.har.');
    expect(importNotice({ imported: 12_000, pruned: 0 }, 'x.har')).toBe(`Imported ${(12_000).toLocaleString()} captures from x.har.`);
  });

  it('attachmentName reads hookbin\'s Content-Disposition, and falls back for anything odd', () => {
    expect(attachmentName('attachment; filename="hookbin-abc-2026-12-02.ndjson"', 'f')).toBe('hookbin-abc-2026-12-02.ndjson');
    expect(attachmentName('attachment; filename="../../etc/passwd"', 'f')).toBe('f');
    expect(attachmentName(null, 'f')).toBe('f');
  });
});
