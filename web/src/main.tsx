import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';

interface BinView {
  id: string;
  name: string;
  url: string;
  captureCount: number;
}

type State = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; bins: BinView[] };

/**
 * A placeholder until the live inspector lands: it lists the bins with their
 * URLs and capture counts, read from the control API with the token cookie.
 */
function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  useEffect(() => {
    fetch('/api/bins', { credentials: 'same-origin' })
      .then(async (res) => {
        const body = (await res.json()) as { bins?: BinView[]; error?: { message: string } };
        if (!res.ok || !body.bins) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
        setState({ kind: 'ready', bins: body.bins });
      })
      .catch((err: unknown) => setState({ kind: 'error', message: err instanceof Error ? err.message : String(err) }));
  }, []);

  return (
    <main>
      <h1>hookbin</h1>
      {state.kind === 'loading' && <p>Loading…</p>}
      {state.kind === 'error' && (
        <p class="error">
          {state.message}. Open the inspector URL that hookbin printed at startup (it carries the token).
        </p>
      )}
      {state.kind === 'ready' && (
        <ul>
          {state.bins.map((b) => (
            <li key={b.id}>
              <strong>{b.name}</strong> <code>{b.url}</code> · {b.captureCount} captures
            </li>
          ))}
        </ul>
      )}
      <p class="hint">The live inspector is on its way; captures are available through the API meanwhile.</p>
    </main>
  );
}

render(<App />, document.getElementById('app')!);
