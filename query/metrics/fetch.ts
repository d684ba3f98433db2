// GET /api/v2/fetch: the graph's lines as server-sent events, Atlas's v2 message shape. Each line
// is cut into chunks of 60 steps (chunks without data are skipped); clients stitch chunks by
// `id`. A request that takes longer than a heartbeat interval starts streaming heartbeats
// (`{"type":"info","message":"heartbeat"}`) until the data is ready; every stream ends with
// `{"type":"close","message":"operation complete"}` and the connection closes.
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { toVigilError } from '../errors.ts';
import type { GraphResult, StyledLine, Window } from '../asl/types.ts';
import { sortedTags } from './formats.ts';

export const HEARTBEAT_MS = 10_000;
export const CHUNK_STEPS = 60;

const HEARTBEAT = { type: 'info', message: 'heartbeat' } as const;
const CLOSE = { type: 'close', message: 'operation complete' } as const;

/** One server-sent event carrying a JSON message. */
export function sseEvent(message: unknown): string {
  return `data: ${JSON.stringify(message)}\n\n`;
}

/** A stable id per line: the same tags and expression give the same id in every chunk. */
function lineId(line: StyledLine): string {
  return createHash('sha1')
    .update(JSON.stringify(sortedTags({ ...line.tags, 'atlas.query': line.expression })))
    .digest('hex');
}

/** Atlas's timeseries messages of a result, line by line, chunk by chunk; NaN as "NaN". */
export function timeseriesMessages(result: GraphResult, window: Window): object[] {
  const messages: object[] = [];
  const steps = Math.round((window.end - window.start) / window.step);
  for (const line of result.lines) {
    const id = lineId(line);
    const tags = sortedTags(line.tags);
    for (let first = 0; first < steps; first += CHUNK_STEPS) {
      const chunk = Array.from(line.values.subarray(first, Math.min(first + CHUNK_STEPS, steps)));
      if (chunk.every(Number.isNaN)) continue;
      const start = window.start + first * window.step;
      messages.push({
        type: 'timeseries',
        id,
        query: line.expression,
        ...(line.groupByKeys.length > 0 ? { groupByKeys: line.groupByKeys } : {}),
        label: line.label,
        tags,
        start,
        end: start + chunk.length * window.step,
        step: window.step,
        data: { type: 'array', values: chunk.map((v) => (Number.isFinite(v) ? v : String(v))) },
      });
    }
  }
  return messages;
}

function body(result: GraphResult, window: Window): string {
  return [...timeseriesMessages(result, window), CLOSE].map(sseEvent).join('');
}

/**
 * Answers a fetch. A result (or an error) ready within the first heartbeat interval is an
 * ordinary answer, so a bad expression is a plain 400. Past that, the stream starts with
 * heartbeats and a later error travels as `{"type":"error","message"}` before the close.
 */
export async function answerFetch(reply: FastifyReply, work: Promise<GraphResult>, window: Window, heartbeatMs = HEARTBEAT_MS): Promise<FastifyReply> {
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([
    work.then((result) => ({ result })),
    new Promise<'slow'>((resolve) => {
      timer = setTimeout(() => resolve('slow'), heartbeatMs);
    }),
  ]).finally(() => clearTimeout(timer));
  if (first !== 'slow') return reply.type('text/event-stream').header('cache-control', 'no-cache').send(body(first.result, window));

  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  raw.write(sseEvent(HEARTBEAT));
  const beats = setInterval(() => raw.write(sseEvent(HEARTBEAT)), heartbeatMs);
  raw.on('close', () => clearInterval(beats));
  try {
    raw.write(body(await work, window));
  } catch (error) {
    const mapped = toVigilError(error);
    if (mapped.status >= 500) reply.log.error({ err: error }, 'fetch failed');
    raw.write(sseEvent({ type: 'error', message: mapped.message }) + sseEvent(CLOSE));
  } finally {
    clearInterval(beats);
    raw.end();
  }
  return reply;
}
