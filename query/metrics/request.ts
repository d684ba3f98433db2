// Query-string parameters of the Atlas endpoints: the graph window (q, s, e, tz, step, w) shared
// by /api/v1/graph and /api/v2/fetch, the graph format, and the tags paging parameters.
// Everything returned is typed and in range; anything else is a catalogued 400.
import { ASL_LIMITS } from '../asl/evaluator.ts';
import { describe } from '../asl/expr.ts';
import { Interpreter, type Word } from '../asl/interpreter.ts';
import { parse } from '../asl/parser.ts';
import type { TagQuery, Window } from '../asl/types.ts';
import { VOCABULARIES, WORDS } from '../asl/vocabulary.ts';
import { type RawQuery, bad, onlyKnown, parseLimit, text } from '../params.ts';
import { type GraphFormat, parseFormat } from './formats.ts';
import { DEFAULT_WIDTH, MAX_POINTS, autoStep, graphWindow, parseStep } from './step.ts';
import { parseTimeRange, parseZone } from './time.ts';

export interface GraphRequest {
  /** The stack-language expression. */
  program: string;
  window: Window;
  tz: string;
}

const WINDOW_PARAMS = ['q', 's', 'e', 'tz', 'step', 'w'];
const WIDTH_MAX = 100_000;

function parseWidth(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_WIDTH;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > WIDTH_MAX) throw bad('w', `${JSON.stringify(raw)} is not a width in pixels from 1 to ${WIDTH_MAX}`);
  return Number(raw);
}

function parseWindowRequest(query: RawQuery, now: number): GraphRequest {
  const program = text(query, 'q');
  if (program === undefined) throw bad('q', 'missing; give a stack-language expression such as name,http.server.requests,:eq,:sum');
  const tz = parseZone(text(query, 'tz'));
  const range = parseTimeRange(text(query, 's'), text(query, 'e'), tz, now);
  const stepParam = text(query, 'step');
  // Atlas: the width (w, default 700 px) picks the automatic step, capped at the points limit.
  const step = stepParam === undefined ? autoStep(range, Math.min(parseWidth(text(query, 'w')), MAX_POINTS)) : parseStep(stepParam);
  return { program, window: graphWindow(range, step), tz };
}

/** `GET /api/v1/graph`: the window parameters plus `format`. */
export function parseGraphRequest(query: RawQuery, now: number): GraphRequest & { format: GraphFormat } {
  onlyKnown(query, [...WINDOW_PARAMS, 'format']);
  return { ...parseWindowRequest(query, now), format: parseFormat(text(query, 'format')) };
}

/** `GET /api/v2/fetch`: the window parameters. */
export function parseFetchRequest(query: RawQuery, now: number): GraphRequest {
  onlyKnown(query, WINDOW_PARAMS);
  return parseWindowRequest(query, now);
}

export const TAGS_LIMIT_MAX = 1000;

export interface TagsRequest {
  /** A query-vocabulary expression restricting the series, or undefined for all. */
  q: string | undefined;
  limit: number;
  /** Atlas paging: resume after this value (the previous answer's x-nflx-atlas-next-offset). */
  offset: string;
  verbose: boolean;
  format: 'json' | 'txt';
}

/** `GET /api/v1/tags[/{key}]`: q, limit (default and max 1000), offset, verbose=1, format json|txt. */
export function parseTagsRequest(query: RawQuery): TagsRequest {
  onlyKnown(query, ['q', 'limit', 'offset', 'verbose', 'format']);
  const format = text(query, 'format') ?? 'json';
  if (format !== 'json' && format !== 'txt') throw bad('format', `${JSON.stringify(format)} is neither json nor txt`);
  const verbose = text(query, 'verbose');
  if (verbose !== undefined && verbose !== '0' && verbose !== '1') throw bad('verbose', `${JSON.stringify(verbose)} is neither 0 nor 1`);
  return { q: text(query, 'q'), limit: parseLimit(query, TAGS_LIMIT_MAX, TAGS_LIMIT_MAX), offset: text(query, 'offset') ?? '', verbose: verbose === '1', format };
}

// Atlas reads the tags endpoints' `q` with the query vocabulary and the stack words only.
const TAGS_VOCABULARY = new Set<Word>([...VOCABULARIES.query, ...VOCABULARIES.std]);
const TAGS_WORDS: ReadonlyMap<string, readonly Word[]> = new Map(
  [...WORDS].map(([name, words]) => [name, words.filter((w) => TAGS_VOCABULARY.has(w))] as const).filter(([, words]) => words.length > 0),
);

/** The tags endpoints' `q`: a program leaving exactly one query on the stack. */
export function parseTagsQuery(program: string): TagQuery {
  const interpreter = new Interpreter(TAGS_WORDS, new Set(), ASL_LIMITS);
  interpreter.run(parse(program, ASL_LIMITS.maxTokens));
  const stack = interpreter.result();
  const [only] = stack;
  if (stack.length !== 1 || only?.type !== 'query') {
    const found = stack.length === 0 ? 'an empty stack' : stack.map(describe).join(', ');
    throw bad('q', `the tags endpoints take one query of the query vocabulary (e.g. name,cpu,:eq,app,www,:eq,:and); the expression leaves ${found}`);
  }
  return only.query;
}
