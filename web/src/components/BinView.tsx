import type { Model, View } from '../model.js';
import { VIEWS } from '../model.js';
import { SecretsEditor } from './SecretsEditor.js';
import type { SenderModel } from '../sender-model.js';
import { SenderView } from './SenderView.js';

const VIEW_LABEL: Record<View, string> = { captures: 'Captures', events: 'Events', answers: 'Answers', secrets: 'Secrets', send: 'Send' };

/** The bin's views as tabs: its captures, its secrets. */
export function ViewTabs(props: { view: View; onView: (v: View) => void; secrets: number }) {
  return (
    <nav class="view-tabs" role="tablist" aria-label="Bin views">
      {VIEWS.map((v) => (
        <button
          type="button"
          key={v}
          role="tab"
          class="view-tab"
          data-testid={`view-${v}`}
          aria-selected={props.view === v}
          onClick={() => props.onView(v)}
        >
          {VIEW_LABEL[v]}
          {v === 'secrets' && props.secrets > 0 && <span class="tab-count">{props.secrets}</span>}
        </button>
      ))}
    </nav>
  );
}

/** The wide area for the bin's other views (the captures view keeps its list and detail panes). */
export function BinWide(props: { model: Model; sender?: SenderModel }) {
  const m = props.model;
  const bin = m.selectedBin.value;
  const view = m.view.value;
  if (!bin) {
    return <div class="placeholder muted">{m.binsLoaded.value ? 'Pick or create a bin.' : 'Loading…'}</div>;
  }
  return (
    <>
      <header class="pane-head">
        <button type="button" class="btn back" data-testid="wide-back-to-bins" onClick={() => (m.pane.value = 'bins')}>
          ‹ Bins
        </button>
        <div class="pane-title">
          <h2 title={bin.name}>{bin.name}</h2>
          <span class="muted small mono">{bin.url}</span>
        </div>
      </header>
      <ViewTabs view={view} onView={m.setView} secrets={bin.secrets.length} />
      <div class="wide-scroll" data-testid="bin-view" data-view={view}>
        {view === 'send' && props.sender && <SenderView model={m} sender={props.sender} bin={bin} />}
        {view === 'secrets' && (
          <SecretsEditor binId={bin.id} secrets={bin.secrets} globalSecrets={m.info.value?.globalSecrets ?? null} onSave={(list) => m.saveSecrets(bin.id, list)} />
        )}
      </div>
    </>
  );
}
