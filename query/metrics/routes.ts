// Atlas's HTTP API on the query service, as a Fastify plugin (thin handlers; errors go to
// query/errors.ts): GET /api/v1/graph, GET /api/v1/tags[/{key}], POST /api/v1/publish and
// GET /api/v2/fetch. Graphs, fetches and tags read through the series source and the tag
// catalogue on the read connection; publish writes on the write connection.
// docs/metrics-api.md describes them.
import { createGunzip } from 'node:zlib';
import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import { vigilError } from '../../schemas/errors.ts';
import { evaluate } from '../asl/evaluator.ts';
import type { TagQuery } from '../asl/types.ts';
import type { RawQuery } from '../params.ts';
import { ClickHouseTagCatalog } from './catalog.ts';
import { answerFetch } from './fetch.ts';
import { renderGraph } from './formats.ts';
import { checkPublish, publishAnswer, writeGauges } from './publish.ts';
import { parseFetchRequest, parseGraphRequest, parseTagsQuery, parseTagsRequest, type TagsRequest } from './request.ts';
import { ClickHouseSeriesSource } from './source.ts';

export interface AtlasRoutesOptions {
  /** The read connection: graphs, fetches and tags. */
  read: ClickHouseClient;
  /** The write connection: publish inserts through it. */
  write: ClickHouseClient;
  /** Unix milliseconds; tests may fix it. */
  now?: () => number;
  /** Memory for the lines of rolled-up hours kept between queries (VIGIL_METRIC_CACHE_SIZE). */
  hourCacheBytes?: number;
}

/** A tag with the number of series carrying it (`verbose=1`). */
type TagCount = { key: string; value: string; count: number };

export const NEXT_OFFSET_HEADER = 'x-nflx-atlas-next-offset';

function isTagCount(item: string | TagCount): item is TagCount {
  return typeof item !== 'string';
}

/** Atlas paging: a full page names its last item as the next offset (`key,value` for tags). */
function nextOffset(items: readonly (string | TagCount)[], limit: number): string | undefined {
  const last = items.length >= limit ? items[items.length - 1] : undefined;
  if (last === undefined) return undefined;
  return isTagCount(last) ? `${last.key},${last.value}` : last;
}

function asText(items: readonly (string | TagCount)[]): string {
  return items.map((item) => (isTagCount(item) ? `${item.key}\t${item.value}\t${item.count}` : item)).join('\n');
}

/**
 * Atlas clients may gzip the payload: it is read through gunzip (the body limit applies to the
 * unzipped size, so a gzip bomb stops at the limit).
 */
async function gunzipBody(req: FastifyRequest, _reply: FastifyReply, payload: RequestPayload): Promise<RequestPayload> {
  const encoding = req.headers['content-encoding'];
  if (encoding === undefined || encoding === 'identity') return payload;
  if (encoding !== 'gzip') throw vigilError('VIGIL_ERR_UNSUPPORTED_ENCODING', encoding);
  // Fastify compares the bytes received with Content-Length through this property.
  const gunzip = Object.assign(createGunzip(), { receivedEncodedLength: 0 });
  payload.on('data', (chunk: Buffer) => {
    gunzip.receivedEncodedLength += chunk.length;
  });
  return payload.pipe(gunzip);
}

export const atlasRoutes: FastifyPluginAsync<AtlasRoutesOptions> = async (app, options) => {
  const source = new ClickHouseSeriesSource(options.read, { hourCacheBytes: options.hourCacheBytes });
  const tags = new ClickHouseTagCatalog(options.read);
  const now = options.now ?? Date.now;

  app.get<{ Querystring: RawQuery }>('/api/v1/graph', async (req, reply) => {
    const request = parseGraphRequest(req.query, now());
    const result = await evaluate(request.program, request.window, source);
    const rendered = renderGraph(request.format, result, request.window, request.tz);
    return reply.type(rendered.contentType).send(rendered.body);
  });

  app.get<{ Querystring: RawQuery }>('/api/v2/fetch', async (req, reply) => {
    const request = parseFetchRequest(req.query, now());
    return answerFetch(reply, evaluate(request.program, request.window, source), request.window);
  });

  const answerTags = async (request: TagsRequest, key: string | undefined, reply: FastifyReply) => {
    const query: TagQuery = request.q === undefined ? { op: 'true' } : parseTagsQuery(request.q);
    const items =
      key === undefined && !request.verbose
        ? await tags.keys(query, request.limit, request.offset)
        : await tags.values(key ?? '', query, request.limit, request.offset, request.verbose);
    const offset = nextOffset(items, request.limit);
    if (offset !== undefined) reply.header(NEXT_OFFSET_HEADER, offset);
    if (request.format === 'txt') return reply.type('text/plain; charset=utf-8').send(asText(items));
    return reply.send(items);
  };
  app.get<{ Querystring: RawQuery }>('/api/v1/tags', async (req, reply) => answerTags(parseTagsRequest(req.query), undefined, reply));
  app.get<{ Querystring: RawQuery; Params: { key: string } }>('/api/v1/tags/:key', async (req, reply) =>
    answerTags(parseTagsRequest(req.query), req.params.key, reply),
  );

  app.post('/api/v1/publish', { preParsing: gunzipBody }, async (req, reply) => {
    const check = checkPublish(req.body, now());
    const answer = publishAnswer(check);
    await writeGauges(options.write, check.rows);
    return answer.status === 200 ? reply.code(200).send() : reply.code(202).send(answer.body);
  });
};
