/**
 * The inspector with `--public-url`: Copy URL gives the tunnel's bin URL a
 * provider is to be given, not the local one the inspector runs on.
 */
import { describe, expect, it } from 'vitest';
import { useBrowserFreshServers } from './inspector.js';

const TUNNEL = 'https://abc-123.tunnel.example';

describe('the inspector with --public-url', () => {
  const { start, open } = useBrowserFreshServers();

  it("Copy URL copies the bin's public URL", async () => {
    const server = await start({ publicUrl: TUNNEL });
    const { page, errors } = await open(server);
    const item = page.locator(`[data-testid=bin-item][data-bin-id="${server.defaultBinId}"]`);
    await item.locator('[data-testid=bin-select]').click();
    await item.locator('[data-testid=copy-bin-url]').click();
    await item.locator('[data-testid=copy-bin-url][data-copied=ok]').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${TUNNEL}/b/${server.defaultBinId}`);
    expect(await item.locator('[data-testid=copy-bin-url]').getAttribute('title')).toBe(`${TUNNEL}/b/${server.defaultBinId}`);
    expect(errors).toEqual([]);
  });
});
