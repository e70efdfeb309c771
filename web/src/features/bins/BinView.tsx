import type { Bin } from '../../../../server/common/types.js';
import type { Model, View } from '../../state/model.js';
import { VIEWS } from '../../state/model.js';
import { AnswerStatus, QuickToggles } from '../answers/AnswerBar.js';
import { NoBin } from './MissingBin.js';
import { EventsView } from '../events/EventsView.js';
import { RuleEditor } from '../answers/RuleEditor.js';
import { AnswerForm } from '../answers/AnswerForm.js';
import { SecretsEditor } from '../secrets/SecretsEditor.js';
import { SchemesEditor } from '../secrets/SchemesEditor.js';
import { mergeSchemes } from '../../../../server/common/custom-scheme.js';
import type { SenderModel } from '../../state/sender.js';
import { SenderView } from '../send/SenderView.js';
import type { CheckModel } from '../../state/check.js';

const VIEW_LABEL: Record<View, string> = { captures: 'Captures', events: 'Events', answers: 'Answers', secrets: 'Secrets', send: 'Send' };

/** The bin's views as tabs: captures, events (retry timelines), what it answers, its secrets. */
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

function AnswersPanel(props: { model: Model; bin: Bin }) {
  const m = props.model;
  const b = props.bin;
  return (
    <div class="answers" data-testid="answers-view">
      <AnswerForm bin={b} onSave={(patch) => m.updateBin(b.id, patch)} />
      <h3 class="sub-head">Rules</h3>
      <p class="muted small">
        Checked in order, before everything above; the first that matches decides the answer. Globs: <code class="mono">*</code> within a path segment,{' '}
        <code class="mono">**</code> across segments, <code class="mono">?</code> one character.
      </p>
      <RuleEditor binId={b.id} rules={b.respond.rules} onPatch={(patch) => m.updateRespond(b.id, patch)} />
    </div>
  );
}

/** The wide area for the bin's other views (the captures view keeps its list and detail panes). */
export function BinWide(props: { model: Model; sender?: SenderModel; check?: CheckModel }) {
  const m = props.model;
  const bin = m.selectedBin.value;
  const view = m.view.value;
  if (!bin) {
    return (
      <>
        <header class="pane-head">
          <button type="button" class="btn back" data-testid="wide-back-to-bins" onClick={() => (m.pane.value = 'bins')}>
            ‹ Bins
          </button>
        </header>
        <NoBin model={m} />
      </>
    );
  }
  const ev = m.events.value;
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
        {view === 'send' && props.sender && <SenderView model={m} sender={props.sender} bin={bin} check={props.check} />}
        {(view === 'events' || view === 'answers') && (
          <section class="answer-box" data-testid="answer-box">
            <AnswerStatus respond={bin.respond} />
            <QuickToggles key={bin.id} respond={bin.respond} onPatch={(patch) => m.updateRespond(bin.id, patch)} />
          </section>
        )}
        {view === 'events' && (
          <EventsView
            events={ev.binId === bin.id ? ev.items : []}
            loaded={ev.binId === bin.id && ev.loaded}
            error={ev.binId === bin.id ? ev.error : null}
            hasMore={ev.binId === bin.id && ev.next !== null}
            loadingMore={m.loadingOlderEvents.value}
            presets={m.presets.value}
            preset={m.eventsPreset.value}
            onPreset={m.setEventsPreset}
            timeScale={m.eventsTimeScale.value}
            onTimeScale={m.setEventsTimeScale}
            retriedOnly={m.eventsRetriedOnly.value}
            onRetriedOnly={m.setEventsRetriedOnly}
            onMore={() => void m.loadOlderEvents()}
            onRefresh={() => void m.loadEvents()}
            onOpen={m.openCapture}
          />
        )}
        {view === 'answers' && <AnswersPanel model={m} bin={bin} />}
        {view === 'secrets' && (
          <>
            <SecretsEditor
              binId={bin.id}
              secrets={bin.secrets}
              schemes={mergeSchemes(bin.schemes ?? [], m.info.value?.globalSchemes ?? [])}
              globalSecrets={m.info.value?.globalSecrets ?? null}
              onSave={(list) => m.saveSecrets(bin.id, list)}
            />
            <h4 class="sub-head">Your own schemes</h4>
            <SchemesEditor key={bin.id} binId={bin.id} schemes={bin.schemes ?? []} onSave={(list) => m.saveSchemes(bin.id, list)} />
          </>
        )}
      </div>
    </>
  );
}
