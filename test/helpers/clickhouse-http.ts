// A test fixture that serves ClickHouse's HTTP interface from the embedded engine (chDB), so
// server mode (CLICKHOUSE_URL) and the scale-out shape (several Vigil processes on one store)
// run over the real HTTP path of @clickhouse/client on a machine without a ClickHouse server.
//
// Supported: the subset @clickhouse/client 1.23 uses.
//   GET /ping, HEAD /ping           -> 200 "Ok.\n" (no authentication, like ClickHouse)
//   GET / without a query           -> 200 "Ok.\n"
//   GET|POST /                      -> one statement: the `query` URL parameter, the body, or
//                                      both (query + "\n" + body); GET runs with readonly = 2
//   multipart/form-data bodies      -> `query` and `param_*` fields (use_multipart_params)
//   INSERT ... FORMAT X + data      -> the data (any format, binary included) goes to a file on
//                                      /dev/shm and the statement is rewritten to
//                                      INSERT INTO t (cols) FROM INFILE '<file>' FORMAT X
//   URL parameters                  -> database, default_format, query_id, session_id,
//                                      wait_end_of_query, user/password, param_<name> (bound
//                                      as ClickHouse binds them: SET param_<name> = '<text>'),
//                                      every other one is a setting (SET name = '<value>'):
//                                      unknown settings fail with Code 115 as on a server
//   authentication                  -> Authorization: Basic, X-ClickHouse-User/-Key, or the
//                                      user/password URL parameters; anything but the configured
//                                      user and password answers 401 with Code 516
//   compression                     -> request bodies with Content-Encoding gzip/deflate/br;
//                                      responses gzip/deflate/br when enable_http_compression=1
//                                      and Accept-Encoding asks for it
//   response headers                -> X-ClickHouse-Summary, X-ClickHouse-Query-Id,
//                                      X-ClickHouse-Format, X-ClickHouse-Timezone,
//                                      X-ClickHouse-Server-Display-Name
//   errors                          -> the status ClickHouse gives the code (400, 401, 403, 404,
//                                      500, 501), X-ClickHouse-Exception-Code, and the text
//                                      "Code: N. DB::Exception: ... (NAME) (version V)\n"
//   multi-statements                -> refused with Code 62, as a server does
// Not supported: ClickHouse's native compression (compress/decompress=1), roles, progress
// headers, streaming of results (each result is produced whole, then sent: wait_end_of_query
// semantics always), exceptions in the middle of a 200 response.
//
// Every request runs in its own chDB session on the data directory, so settings, parameters
// and `USE` never leak between requests (a `session_id` keeps one session across requests).
// A chDB data directory can be bound by one process only: to share it between processes, run
// this file as its own process and point every client at its URL:
//   node --import tsx test/helpers/clickhouse-http.ts <dataDir> [port] [user] [password]
// prints the URL on stdout, stops on SIGTERM/SIGINT, and when started with an IPC channel also
// stops when its parent goes away.

import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Session } from 'chdb';

export interface ClickHouseHttpOptions {
  /** The chDB data directory (created when missing). */
  dataDir: string;
  /** 0 or unset: any free port. */
  port?: number | undefined;
  host?: string | undefined;
  /** The one accepted user (default `default`). */
  user?: string | undefined;
  /** Its password (default empty). */
  password?: string | undefined;
}

export interface ExecutedStatement {
  queryId: string;
  /** What the client sent (query parameter and/or body text; data bodies are left out). */
  query: string;
  /** What the engine ran (after the INSERT rewrite). */
  executed: string;
  /** Bytes of INSERT data, if any. */
  dataBytes: number;
  status: number;
}

export interface ClickHouseHttp {
  /** Base URL, e.g. http://127.0.0.1:8123 */
  readonly url: string;
  /** The last 1,000 statements this fixture ran (newest last). */
  readonly statements: readonly ExecutedStatement[];
  close(): Promise<void>;
}

/** An error with a ClickHouse error code, answered as ClickHouse answers it. */
class ClickHouseException extends Error {
  constructor(
    readonly code: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

// exceptionCodeToHTTPStatus in ClickHouse's src/Server/HTTPHandler.cpp (the codes that matter here).
const STATUS_BY_CODE = new Map<number, number>([
  [194, 401], // REQUIRED_PASSWORD
  [516, 401], // AUTHENTICATION_FAILED
  [192, 401], // UNKNOWN_USER
  [193, 401], // WRONG_PASSWORD
  [497, 403], // ACCESS_DENIED
  [164, 403], // READONLY
  [6, 400], // CANNOT_PARSE_TEXT
  [25, 400], // CANNOT_PARSE_ESCAPE_SEQUENCE
  [26, 400], // CANNOT_PARSE_QUOTED_STRING
  [27, 400], // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  [36, 400], // BAD_ARGUMENTS
  [38, 400], // CANNOT_PARSE_DATE
  [41, 400], // CANNOT_PARSE_DATETIME
  [62, 400], // SYNTAX_ERROR
  [72, 400], // CANNOT_PARSE_NUMBER
  [117, 400], // INCORRECT_DATA
  [456, 400], // UNKNOWN_QUERY_PARAMETER
  [457, 400], // BAD_QUERY_PARAMETER
  [46, 404], // UNKNOWN_FUNCTION
  [47, 404], // UNKNOWN_IDENTIFIER
  [50, 404], // UNKNOWN_TYPE
  [56, 404], // UNKNOWN_STORAGE
  [60, 404], // UNKNOWN_TABLE
  [63, 404], // UNKNOWN_AGGREGATE_FUNCTION
  [73, 404], // UNKNOWN_FORMAT
  [81, 404], // UNKNOWN_DATABASE
  [115, 404], // UNKNOWN_SETTING
  [336, 404], // UNKNOWN_DATABASE_ENGINE
  [48, 501], // NOT_IMPLEMENTED
]);

// URL parameters the HTTP layer consumes; every other one is a setting.
const HTTP_PARAMETERS = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'session_id',
  'session_timeout',
  'session_check',
  'user',
  'password',
  'quota_key',
  'buffer_size',
  'wait_end_of_query',
  'stacktrace',
  'client_protocol_version',
  'compress',
  'decompress',
  'role',
]);

const BINARY_FORMATS =
  /^(Native|RowBinary\w*|Parquet|Arrow|ArrowStream|ORC|Avro|AvroConfluent|Protobuf\w*|CapnProto|MsgPack|BSONEachRow|Npy|RawBLOB)$/i;

// The INSERT statement shapes whose data may go through a file. Names: plain identifiers or
// backquoted / double-quoted ones; columns may be Nested sub-columns (`Events.Name`).
const QUOTED = '`(?:[^`\\\\]|\\\\.|``)+`|"(?:[^"\\\\]|\\\\.)+"';
const NAME = `(?:${QUOTED}|[A-Za-z_][A-Za-z0-9_]*)`;
const TABLE = `${NAME}(?:\\s*\\.\\s*${NAME})?`;
const COLUMN = `${NAME}(?:\\.${NAME})*`;
const COLUMN_LIST = `${COLUMN}(?:\\s*,\\s*${COLUMN})*`;
const COLUMNS = `\\(\\s*(?:${COLUMN_LIST}|\\*(?:\\s+EXCEPT\\s*\\(\\s*${COLUMN_LIST}\\s*\\))?)\\s*\\)`;
const SETTING = `[A-Za-z_][A-Za-z0-9_]*\\s*=\\s*(?:'(?:[^'\\\\]|\\\\.)*'|[A-Za-z0-9_.+-]+)`;
const SETTINGS = `SETTINGS\\s+${SETTING}(?:\\s*,\\s*${SETTING})*`;
const FORMAT_NAME = '[A-Za-z][A-Za-z0-9_]*';
/** The whole statement: INSERT INTO [TABLE] t [(cols)] [SETTINGS ...] FORMAT X */
export const INSERT_STATEMENT = new RegExp(
  `^\\s*INSERT\\s+INTO\\s+(?:TABLE\\s+)?(?<table>${TABLE})\\s*(?<columns>${COLUMNS})?\\s*(?:(?<settings>${SETTINGS})\\s+)?FORMAT\\s+(?<format>${FORMAT_NAME})\\s*$`,
  'i',
);
/** An INSERT ... FORMAT X head at the start of a body, with data after it. */
const INLINE_INSERT_HEAD = new RegExp(`^\\s*INSERT\\s+INTO\\s[\\s\\S]*?\\bFORMAT\\s+(${FORMAT_NAME})[ \\t\\r]*(?:\\n|$)`, 'i');
const LOOSE_INSERT_FORMAT = new RegExp(`^\\s*INSERT\\b[\\s\\S]*\\bFORMAT\\s+(${FORMAT_NAME})\\s*;?\\s*$`, 'i');
const TRAILING_FORMAT = new RegExp(`\\bFORMAT\\s+(${FORMAT_NAME})\\s*;?\\s*$`, 'i');
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const BLOCK_DIR = (() => {
  try {
    mkdirSync('/dev/shm', { recursive: true });
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
})();

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotliDecompress = promisify(zlib.brotliDecompress);

function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function quoteName(value: string): string {
  return `\`${value.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/** The character offset of a `;` followed by another statement, if any (quotes and comments skipped). */
export function secondStatementAt(sql: string): number | undefined {
  let semicolon: number | undefined;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"' || ch === '`') {
      if (semicolon !== undefined) return semicolon;
      i++;
      while (i < sql.length && sql[i] !== ch) i += sql[i] === '\\' ? 2 : 1;
      i++;
    } else if (sql.startsWith('--', i) || ch === '#') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? sql.length : eol + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (ch === ';') {
      semicolon ??= i;
      i++;
    } else if (/\s/.test(ch)) {
      i++;
    } else {
      if (semicolon !== undefined) return semicolon;
      i++;
    }
  }
  return undefined;
}

/** The parts of one request: the statement text and, for INSERT ... FORMAT, its data. */
interface Statement {
  text: string;
  insert?: { table: string; columns: string | undefined; settings: string | undefined; format: string; data: Buffer } | undefined;
}

function strictInsert(text: string, data: Buffer): Statement | undefined {
  const m = INSERT_STATEMENT.exec(text);
  if (!m?.groups) return undefined;
  const { table, columns, settings, format } = m.groups;
  return { text, insert: { table: table!, columns, settings, format: format!, data } };
}

function refuseBinaryInline(text: string): void {
  const format = LOOSE_INSERT_FORMAT.exec(text)?.[1];
  if (format !== undefined && BINARY_FORMATS.test(format)) {
    throw new ClickHouseException(
      48,
      'NOT_IMPLEMENTED',
      `the ClickHouse HTTP fixture passes ${format} data only for INSERT INTO t [(columns)] [SETTINGS ...] FORMAT ${format}, got: ${text.slice(0, 200)}`,
    );
  }
}

/** Splits the request into statement and data the way ClickHouse's HTTP handler does. */
function splitStatement(queryParam: string, body: Buffer): Statement {
  if (queryParam !== '') {
    if (body.length === 0) return strictInsert(queryParam, body) ?? { text: queryParam };
    const insert = strictInsert(queryParam, body);
    if (insert) return insert;
    refuseBinaryInline(queryParam);
    // The body continues the statement (e.g. `INSERT INTO t VALUES` + rows).
    return splitInline(Buffer.concat([Buffer.from(`${queryParam}\n`), body]));
  }
  return splitInline(body);
}

function splitInline(buf: Buffer): Statement {
  // latin1 keeps one character per byte, so match offsets are byte offsets.
  const head = INLINE_INSERT_HEAD.exec(buf.toString('latin1', 0, Math.min(buf.length, 1 << 16)));
  if (head) {
    const statementEnd = head[0].length;
    const text = buf.toString('utf8', 0, statementEnd).trim();
    const data = buf.subarray(statementEnd);
    const insert = strictInsert(text, data);
    if (insert) return insert;
    refuseBinaryInline(text);
  }
  return { text: buf.toString('utf8') };
}

/** chDB wraps nested errors ("Code: 60. DB::Exception: Code: 60. DB::Exception: ..."): unwrap like a server would print it. */
function normalizeEngineError(message: string): { code: number; text: string } {
  let text = message.trim();
  const m = /^Code: (\d+)\. DB::Exception: /.exec(text);
  if (!m) return { code: 1001, text: `Code: 1001. DB::Exception: ${text}. (STD_EXCEPTION)` };
  const prefix = m[0];
  while (text.startsWith(prefix + prefix)) text = text.slice(prefix.length);
  let previous: string;
  do {
    previous = text;
    text = text.replace(/ \(version [\d.]+\)\. \(([A-Z0-9_]+)\)$/, '');
  } while (text !== previous);
  text = text.replace(/ \(version [\d.]+\)$/, '');
  return { code: Number(m[1]), text };
}

function contentType(format: string): string {
  if (/^JSON/i.test(format)) return 'application/json; charset=UTF-8';
  if (/^(TabSeparated|TSV)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/i.test(format)) return 'text/csv; charset=UTF-8; header=absent';
  if (BINARY_FORMATS.test(format)) return 'application/octet-stream';
  return 'text/plain; charset=UTF-8';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  switch (encoding) {
    case '':
    case 'identity':
    case 'none':
      return raw;
    case 'gzip':
    case 'x-gzip':
      return gunzip(raw);
    case 'deflate':
      return inflate(raw);
    case 'br':
      return brotliDecompress(raw);
    default:
      throw new ClickHouseException(48, 'NOT_IMPLEMENTED', `the ClickHouse HTTP fixture cannot decode Content-Encoding ${encoding}`);
  }
}

/** multipart/form-data fields (the client sends `query` and `param_*` this way for large parameters). */
function multipartFields(body: Buffer, type: string): Map<string, string> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  if (!boundary) throw new ClickHouseException(36, 'BAD_ARGUMENTS', 'multipart/form-data without a boundary');
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const fields = new Map<string, string>();
  for (const part of body.toString('utf8').split(delimiter).slice(1)) {
    if (part.startsWith('--')) break;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd === -1) continue;
    const name = /name="([^"]*)"/i.exec(part.slice(0, headerEnd))?.[1];
    if (name === undefined) continue;
    fields.set(name, part.slice(headerEnd + 4).replace(/\r\n$/, ''));
  }
  return fields;
}

function credentials(req: IncomingMessage, url: URL): { user: string; password: string } {
  const headerUser = req.headers['x-clickhouse-user'];
  const headerKey = req.headers['x-clickhouse-key'];
  const authorization = req.headers.authorization;
  if (typeof authorization === 'string' && /^Basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof headerUser === 'string') return { user: headerUser, password: typeof headerKey === 'string' ? headerKey : '' };
  return { user: url.searchParams.get('user') ?? 'default', password: url.searchParams.get('password') ?? '' };
}

export async function startClickHouseHttp(options: ClickHouseHttpOptions): Promise<ClickHouseHttp> {
  const dataDir = resolvePath(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const user = options.user ?? 'default';
  const password = options.password ?? '';
  const host = options.host ?? '127.0.0.1';

  // The first session binds the data directory for this process; it stays open until close().
  const anchor = new Session(dataDir);
  const info = (await anchor.queryAsync('SELECT timezone(), version()', { format: 'TabSeparated' })).text().trim().split('\t');
  const timezone = info[0] ?? 'UTC';
  const version = info[1] ?? 'unknown';
  const displayName = hostname();

  const statements: ExecutedStatement[] = [];
  const running = new Set<string>();
  const inflight = new Set<Promise<void>>();
  const named = new Map<string, { session: Session; busy: boolean; timer: NodeJS.Timeout | undefined }>();
  let closed = false;

  const record = (entry: ExecutedStatement): void => {
    statements.push(entry);
    if (statements.length > 1000) statements.splice(0, statements.length - 1000);
  };

  const send = (res: ServerResponse, req: IncomingMessage, status: number, headers: Record<string, string>, body: Buffer, compress: boolean): void => {
    let payload = body;
    if (compress) {
      const accepted = String(req.headers['accept-encoding'] ?? '').toLowerCase();
      const codec = ['gzip', 'br', 'deflate'].find((c) => accepted.includes(c));
      if (codec === 'gzip') payload = zlib.gzipSync(body);
      else if (codec === 'br') payload = zlib.brotliCompressSync(body);
      else if (codec === 'deflate') payload = zlib.deflateSync(body);
      if (codec !== undefined) headers['Content-Encoding'] = codec;
    }
    res.writeHead(status, { ...headers, 'Content-Length': String(payload.length) });
    res.end(payload);
  };

  const sendError = (res: ServerResponse, req: IncomingMessage, queryId: string, code: number, text: string, compress: boolean): void => {
    const status = STATUS_BY_CODE.get(code) ?? 500;
    const body = Buffer.from(`${text} (version ${version})\n`);
    send(
      res,
      req,
      status,
      {
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Exception-Code': String(code),
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Timezone': timezone,
        'X-ClickHouse-Server-Display-Name': displayName,
      },
      body,
      compress,
    );
  };

  async function acquireSession(sessionId: string | null, timeoutSeconds: number): Promise<{ session: Session; release(): void }> {
    if (sessionId === null) {
      const session = new Session(dataDir);
      return { session, release: () => session.close() };
    }
    let entry = named.get(sessionId);
    if (entry === undefined) {
      entry = { session: new Session(dataDir), busy: false, timer: undefined };
      named.set(sessionId, entry);
    }
    if (entry.busy) {
      throw new ClickHouseException(373, 'SESSION_IS_LOCKED', `Session ${sessionId} is locked by a concurrent client`);
    }
    entry.busy = true;
    clearTimeout(entry.timer);
    const current = entry;
    return {
      session: current.session,
      release() {
        current.busy = false;
        current.timer = setTimeout(() => {
          if (current.busy) return;
          named.delete(sessionId);
          current.session.close();
        }, timeoutSeconds * 1000);
        current.timer.unref();
      },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const method = req.method ?? 'GET';
    let queryId = url.searchParams.get('query_id') || randomUUID();
    const compress = /^(1|true)$/i.test(url.searchParams.get('enable_http_compression') ?? '');
    let recorded: ExecutedStatement | undefined;
    let ownsQueryId = false;
    try {
      if (url.pathname === '/ping' && (method === 'GET' || method === 'HEAD')) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': '4' }).end(method === 'HEAD' ? undefined : 'Ok.\n');
        return;
      }
      if (url.pathname !== '/') {
        const text = `There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\n`;
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': String(Buffer.byteLength(text)) }).end(text);
        return;
      }
      if (method !== 'GET' && method !== 'POST') {
        res.writeHead(405, { Allow: 'GET, POST', 'Content-Length': '0' }).end();
        return;
      }
      const who = credentials(req, url);
      if (who.user !== user || who.password !== password) {
        // Read the body first so the connection stays usable.
        req.resume();
        throw new ClickHouseException(
          516,
          'AUTHENTICATION_FAILED',
          `${who.user}: Authentication failed: password is incorrect, or there is no user with such name`,
        );
      }
      if (url.searchParams.has('role')) throw new ClickHouseException(48, 'NOT_IMPLEMENTED', 'the ClickHouse HTTP fixture does not support roles');
      if (/^(1|true)$/i.test(url.searchParams.get('decompress') ?? '') || /^(1|true)$/i.test(url.searchParams.get('compress') ?? '')) {
        throw new ClickHouseException(48, 'NOT_IMPLEMENTED', "the ClickHouse HTTP fixture does not support ClickHouse's native compression (compress/decompress)");
      }

      let body = await readBody(req);
      const params = new Map<string, string>();
      for (const [key, value] of url.searchParams) params.set(key, value);
      const type = String(req.headers['content-type'] ?? '');
      if (/^multipart\/form-data/i.test(type)) {
        for (const [key, value] of multipartFields(body, type)) params.set(key, value);
        body = Buffer.alloc(0);
      }
      const queryParam = params.get('query') ?? '';
      if (queryParam === '' && body.length === 0) {
        if (method === 'GET') {
          res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': '4' }).end('Ok.\n');
          return;
        }
        throw new ClickHouseException(62, 'SYNTAX_ERROR', 'Empty query');
      }
      queryId = params.get('query_id') || queryId;
      if (running.has(queryId)) {
        throw new ClickHouseException(216, 'QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING', `Query with id = ${queryId} is already running.`);
      }
      running.add(queryId);
      ownsQueryId = true;

      const statement = splitStatement(queryParam, body);
      recorded = {
        queryId,
        query: statement.insert ? statement.text : statement.text.slice(0, 100_000),
        executed: '',
        dataBytes: statement.insert?.data.length ?? 0,
        status: 0,
      };
      const second = secondStatementAt(statement.text);
      if (second !== undefined) {
        throw new ClickHouseException(
          62,
          'SYNTAX_ERROR',
          `Syntax error (Multi-statements are not allowed): failed at position ${second + 1} (end of query): ${statement.text.slice(second, second + 40)}`,
        );
      }

      // Settings and parameters, applied the way the HTTP handler applies them to the query context.
      const settings: string[] = [];
      for (const [key, value] of params) {
        if (key.startsWith('param_')) {
          const name = key.slice('param_'.length);
          if (!IDENTIFIER.test(name)) throw new ClickHouseException(36, 'BAD_ARGUMENTS', `bad query parameter name ${JSON.stringify(name)}`);
          settings.push(`param_${name} = ${quoteString(value)}`);
        } else if (!HTTP_PARAMETERS.has(key)) {
          if (!IDENTIFIER.test(key)) throw new ClickHouseException(115, 'UNKNOWN_SETTING', `Unknown setting '${key}'`);
          settings.push(`${key} = ${quoteString(value)}`);
        }
      }
      const database = params.get('database');
      const defaultFormat = params.get('default_format') || 'TabSeparated';
      const sessionId = params.get('session_id') || null;
      const sessionTimeout = Number(params.get('session_timeout') ?? 60) || 60;

      const { session, release } = await acquireSession(sessionId, sessionTimeout);
      let file: string | undefined;
      try {
        // GET requests are read-only (readonly = 2: settings may still change), as on a server.
        if (method === 'GET') await session.queryAsync('SET readonly = 2');
        if (database) await session.queryAsync(`USE ${quoteName(database)}`);
        if (settings.length > 0) await session.queryAsync(`SET ${settings.join(', ')}`);

        let sql = statement.text;
        if (statement.insert) {
          const { table, columns, settings: insertSettings, format, data } = statement.insert;
          file = join(BLOCK_DIR, `chhttp-${process.pid}-${randomUUID()}.bin`);
          await writeFile(file, data);
          sql = `INSERT INTO ${table}${columns ? ` ${columns}` : ''} FROM INFILE ${quoteString(file)}${insertSettings ? ` ${insertSettings}` : ''} FORMAT ${format}`;
        }
        recorded.executed = sql.length > 100_000 ? `${sql.slice(0, 100_000)}...` : sql;
        const started = process.hrtime.bigint();
        const result = await session.queryAsync(sql, { format: defaultFormat });
        const elapsedNs = process.hrtime.bigint() - started;
        const bytes = Buffer.from(result.bytes());
        const rows = String(result.rowsRead ?? 0);
        const rowBytes = String(result.bytesRead ?? 0);
        const isInsert = statement.insert !== undefined;
        const summary = {
          read_rows: rows,
          read_bytes: rowBytes,
          written_rows: isInsert ? rows : '0',
          written_bytes: isInsert ? rowBytes : '0',
          total_rows_to_read: isInsert ? '0' : rows,
          result_rows: isInsert ? rows : '0',
          result_bytes: isInsert ? rowBytes : String(bytes.length),
          elapsed_ns: elapsedNs.toString(),
        };
        const format = isInsert ? defaultFormat : (TRAILING_FORMAT.exec(sql)?.[1] ?? defaultFormat);
        recorded.status = 200;
        send(
          res,
          req,
          200,
          {
            'Content-Type': contentType(format),
            'X-ClickHouse-Summary': JSON.stringify(summary),
            'X-ClickHouse-Query-Id': queryId,
            'X-ClickHouse-Format': format,
            'X-ClickHouse-Timezone': timezone,
            'X-ClickHouse-Server-Display-Name': displayName,
            ...(sessionId === null ? {} : { 'X-ClickHouse-Session-Id': sessionId }),
          },
          bytes,
          compress,
        );
      } finally {
        release();
        if (file !== undefined) await rm(file, { force: true });
      }
    } catch (error) {
      let code: number;
      let text: string;
      if (error instanceof ClickHouseException) {
        code = error.code;
        text = `Code: ${error.code}. DB::Exception: ${error.message}. (${error.type})`;
      } else {
        ({ code, text } = normalizeEngineError(error instanceof Error ? error.message : String(error)));
      }
      if (recorded) recorded.status = STATUS_BY_CODE.get(code) ?? 500;
      if (!res.headersSent) sendError(res, req, queryId, code, text, compress);
      else res.destroy();
    } finally {
      if (ownsQueryId) running.delete(queryId);
      if (recorded) record(recorded);
    }
  }

  const server = createServer((req, res) => {
    if (closed) {
      res.writeHead(503, { Connection: 'close' }).end();
      return;
    }
    const done = handle(req, res).catch((error: unknown) => {
      process.stderr.write(`clickhouse-http fixture: ${String(error)}\n`);
      res.destroy();
    });
    inflight.add(done);
    void done.finally(() => inflight.delete(done));
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', fail);
      ready();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    statements,
    async close() {
      if (closed) return;
      closed = true;
      const stopped = new Promise((done) => server.close(done));
      server.closeIdleConnections();
      await Promise.allSettled([...inflight]);
      server.closeAllConnections();
      await stopped;
      for (const entry of named.values()) {
        clearTimeout(entry.timer);
        entry.session.close();
      }
      named.clear();
      anchor.close();
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const [dataDir, port, user, password] = argv;
  if (dataDir === undefined || dataDir === '') {
    process.stderr.write('usage: node --import tsx test/helpers/clickhouse-http.ts <dataDir> [port] [user] [password]\n');
    process.exit(2);
  }
  const fixture = await startClickHouseHttp({ dataDir, port: port === undefined ? 0 : Number(port), user, password });
  process.stdout.write(`${fixture.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void fixture.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started by a test with an IPC channel: go away with the parent.
  if (process.connected) process.on('disconnect', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`clickhouse-http fixture failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
