// Metrics explorer: an ASL editor with tag-key/value autocomplete, the graph (uPlot) with a
// legend of per-line statistics, the range picker; the URL (q, range) is the shareable link.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, apiGet } from '../api.ts';
import { CopyButton } from '../components/copy.tsx';
import { Panel, SendDataHint } from '../components/panel.tsx';
import { RangePicker } from '../components/range-picker.tsx';
import { usePageRange } from '../pages/common.ts';
import { navigate, withParams } from '../router.ts';
import { COMMON_WORDS, type Completion, applyCompletion, completionAt, errorPosition, tokenRange } from './asl.ts';
import { GraphChart, useGraph } from './graph.tsx';

const EXAMPLE = 'name,vigil.span.requests,:eq,(,service.name,),:by';
const SUGGESTIONS_MAX = 12;

/** Tag keys and values for autocomplete, fetched once per key. */
const tagCache = new Map<string, Promise<string[]>>();
function tagList(key: string | undefined): Promise<string[]> {
  const path = key === undefined ? '/api/v1/tags' : `/api/v1/tags/${encodeURIComponent(key)}`;
  let list = tagCache.get(path);
  if (!list) {
    list = apiGet<string[]>(path, { limit: 1000 }).catch(() => {
      tagCache.delete(path);
      return [];
    });
    tagCache.set(path, list);
  }
  return list;
}

function AslEditor({ value, onChange, onRun, error }: { value: string; onChange: (v: string) => void; onRun: () => void; error: string | undefined }) {
  const area = useRef<HTMLTextAreaElement>(null);
  const [completion, setCompletion] = useState<Completion | null>(null);
  const [options, setOptions] = useState<string[]>([]);
  const [active, setActive] = useState(0);

  // Tag lists arrive asynchronously: only the answer to the latest keystroke is shown.
  const latest = useRef(0);
  const suggest = async (text: string, cursor: number) => {
    const call = ++latest.current;
    const c = completionAt(text, cursor);
    const pool = c.kind === 'word' ? COMMON_WORDS : await tagList(c.kind === 'value' ? c.key : undefined);
    if (call !== latest.current) return;
    const prefix = c.prefix.toLowerCase();
    const list = pool.filter((o) => o.toLowerCase().startsWith(prefix) && o !== c.prefix).slice(0, SUGGESTIONS_MAX);
    setCompletion(c);
    setOptions(list);
    setActive(0);
  };
  const accept = (option: string) => {
    if (!completion) return;
    const next = applyCompletion(value, completion, option);
    onChange(next.text);
    setOptions([]);
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(next.cursor, next.cursor);
    });
  };
  const position = error === undefined ? undefined : errorPosition(error);
  const [errStart, errEnd] = position === undefined ? [0, 0] : tokenRange(value, Math.min(position + 1, value.length));

  return (
    <div class="asl-editor">
      <label for="asl" class="visually-hidden">
        Stack-language expression
      </label>
      <textarea
        id="asl"
        ref={area}
        class="mono"
        rows={3}
        spellcheck={false}
        value={value}
        placeholder={EXAMPLE}
        aria-expanded={options.length > 0}
        aria-controls="asl-suggestions"
        aria-autocomplete="list"
        aria-activedescendant={options.length > 0 ? `asl-option-${active}` : undefined}
        onInput={(e) => {
          const el = e.target as HTMLTextAreaElement;
          onChange(el.value);
          void suggest(el.value, el.selectionStart);
        }}
        onKeyDown={(e) => {
          if (options.length > 0) {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
              return;
            }
            if (e.key === 'Tab' || (e.key === 'Enter' && !e.ctrlKey && !e.metaKey)) {
              e.preventDefault();
              accept(options[active]!);
              return;
            }
            if (e.key === 'Escape') {
              setOptions([]);
              return;
            }
          }
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey || !e.shiftKey)) {
            e.preventDefault();
            latest.current++;
            setOptions([]);
            onRun();
          }
        }}
        onBlur={() => setTimeout(() => setOptions([]), 150)}
      />
      {options.length > 0 && (
        <ul id="asl-suggestions" class="suggestions" role="listbox" aria-label={completion?.kind === 'value' ? `Values of ${completion.key}` : completion?.kind === 'word' ? 'Words' : 'Tag keys'}>
          {options.map((o, i) => (
            <li id={`asl-option-${i}`} role="option" aria-selected={i === active} class={i === active ? 'active' : ''} onMouseDown={(e) => (e.preventDefault(), accept(o))}>
              {o}
            </li>
          ))}
        </ul>
      )}
      {error !== undefined && (
        <div class="asl-error" role="alert">
          {position !== undefined && (
            <pre class="mono">
              {value.slice(0, errStart)}
              <mark>{value.slice(errStart, errEnd) || ' '}</mark>
              {value.slice(errEnd)}
            </pre>
          )}
          <p>{error}</p>
        </div>
      )}
    </div>
  );
}

export function MetricsPage({ params }: { params: URLSearchParams }) {
  const { spec, range, key, setSpec } = usePageRange(params);
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  const graph = useGraph(q, range, key);
  const run = () => navigate(withParams({ q: text.trim() }));
  const error = graph.state === 'error' && graph.error instanceof ApiError && graph.error.status === 400 ? graph.error.message : undefined;
  const answer = graph.data;

  return (
    <main class="page">
      <div class="page-head">
        <h1>Metrics</h1>
        <RangePicker spec={spec} onChange={setSpec} onRefresh={graph.reload} />
      </div>
      <form
        class="filters metrics-query"
        aria-label="Metrics query"
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
      >
        <AslEditor value={text} onChange={setText} onRun={run} error={error} />
        <div class="metrics-actions">
          <button type="submit" class="primary">
            Run
          </button>
          <CopyButton value={location.href} label="Copy link to this graph" />
          <span class="muted small">Enter runs, Shift+Enter breaks the line, Tab completes. Vocabulary: docs/asl.md</span>
        </div>
      </form>
      {!q ? (
        <Panel title="Graph">
          <p class="hint">
            Write an Atlas stack-language expression, e.g. <code>{EXAMPLE}</code>{' '}
            <button type="button" class="link" onClick={() => navigate(withParams({ q: EXAMPLE }))}>
              try it
            </button>
            .
          </p>
        </Panel>
      ) : (
        <Panel title="Graph" load={error ? { state: 'ok', data: answer } : graph} empty={answer !== undefined && answer.legend.length === 0} emptyHint={<SendDataHint what="series matching this expression" />}>
          {answer && (
            <>
              {answer.notices.length > 0 && (
                <ul class="notices">
                  {answer.notices.map((n) => (
                    <li>{n}</li>
                  ))}
                </ul>
              )}
              <GraphChart answer={answer} label={`Graph of ${q}`} />
            </>
          )}
        </Panel>
      )}
    </main>
  );
}
