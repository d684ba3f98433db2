// The SQL of the series store, as named, reviewed text. Tag keys and values, names, times and
// limits travel as query parameters ({pN:String} ...); the only things spliced into the text
// are fragments chosen here from fixed tables (aggregate functions, column names of the span
// rollup). Tables: schemas/migrations/0006_atlas.sql.
import { TupleParam } from '@clickhouse/client';
import type { Aggregation, Consolidation, TagQuery } from '../asl/types.ts';
import { NAME, SPAN_SERIES, SPAN_TAG_COLUMNS, STATISTIC } from './series.ts';

export type Params = Record<string, unknown>;

/** How a tag key reads on one source: the SQL of its value and of "the series has it". */
export type TagAccessor = (key: string, params: Params) => { value: string; present: string };

/** Names a new parameter holding `value` and returns its placeholder. */
function param(params: Params, type: string, value: unknown): string {
  const name = `p${Object.keys(params).length}`;
  params[name] = value;
  return `{${name}:${type}}`;
}

/** Catalogue rows: `name` is MetricName, every other key lives in the Tags map. */
export const catalogueTag: TagAccessor = (key, params) => {
  if (key === NAME) return { value: 'MetricName', present: '1' };
  const k = param(params, 'String', key);
  return { value: `Tags[${k}]`, present: `mapContains(Tags, ${k})` };
};

/** Span rollup rows: fixed columns, plus the series name and statistic of the ARRAY JOIN. */
export const spanTag: TagAccessor = (key, params) => {
  if (key === NAME) return { value: 'series.1', present: '1' };
  if (key === STATISTIC) return { value: 'series.2', present: "series.2 != ''" };
  const column = SPAN_TAG_COLUMNS[key as keyof typeof SPAN_TAG_COLUMNS];
  if (column !== undefined) return { value: column, present: '1' };
  // A key the span series do not have: absent (Atlas: comparisons with it are false).
  param(params, 'String', key);
  return { value: "''", present: '0' };
};

/** The tag query as a condition (Atlas semantics: a comparison on a missing key is false). */
export function tagCondition(q: TagQuery, tag: TagAccessor, params: Params): string {
  const compare = (key: string, test: (value: string) => string): string => {
    const { value, present } = tag(key, params);
    return present === '1' ? test(value) : `(${present} AND ${test(value)})`;
  };
  switch (q.op) {
    case 'true':
      return '1';
    case 'false':
      return '0';
    case 'has':
      return tag(q.key, params).present;
    case 'eq':
      return compare(q.key, (v) => `${v} = ${param(params, 'String', q.value)}`);
    case 'lt':
      return compare(q.key, (v) => `${v} < ${param(params, 'String', q.value)}`);
    case 'le':
      return compare(q.key, (v) => `${v} <= ${param(params, 'String', q.value)}`);
    case 'gt':
      return compare(q.key, (v) => `${v} > ${param(params, 'String', q.value)}`);
    case 'ge':
      return compare(q.key, (v) => `${v} >= ${param(params, 'String', q.value)}`);
    case 're':
      // Atlas anchors the pattern at the start of the value.
      return compare(q.key, (v) => `match(${v}, concat('^(?:', ${param(params, 'String', q.value)}, ')'))`);
    case 'reic':
      return compare(q.key, (v) => `match(${v}, concat('(?i)^(?:', ${param(params, 'String', q.value)}, ')'))`);
    case 'contains':
      return compare(q.key, (v) => `position(${v}, ${param(params, 'String', q.value)}) > 0`);
    case 'starts':
      return compare(q.key, (v) => `startsWith(${v}, ${param(params, 'String', q.value)})`);
    case 'ends':
      return compare(q.key, (v) => `endsWith(${v}, ${param(params, 'String', q.value)})`);
    case 'in':
      return compare(q.key, (v) => `has(${param(params, 'Array(String)', q.values)}, ${v})`);
    case 'and':
      return `(${tagCondition(q.left, tag, params)} AND ${tagCondition(q.right, tag, params)})`;
    case 'or':
      return `(${tagCondition(q.left, tag, params)} OR ${tagCondition(q.right, tag, params)})`;
    case 'not':
      return `NOT ${tagCondition(q.query, tag, params)}`;
  }
}

/** The group key of a row: the values of the `:by` keys, in order (all present: checked by the caller). */
function groupKey(groupBy: readonly string[], tag: TagAccessor, params: Params): { key: string; present: string } {
  if (groupBy.length === 0) return { key: 'CAST([], \'Array(String)\')', present: '1' };
  const parts = groupBy.map((k) => tag(k, params));
  return { key: `[${parts.map((p) => `toString(${p.value})`).join(', ')}]`, present: parts.map((p) => p.present).join(' AND ') };
}

/**
 * A window in minutes: rows cover [start, end) unix ms, `step` a multiple of one minute. The
 * SQL reads `{start:Int64}`, `{end:Int64}`, `{step:Int64}` (ms).
 */
export interface MinuteWindow {
  start: number;
  end: number;
  step: number;
}

const MINUTE_MS = 60_000;

function windowParams(w: MinuteWindow, params: Params): void {
  params.start = w.start;
  params.end = w.end;
  params.step = w.step;
}

/**
 * The series matching a query that have points in the window (the catalogue knows when each
 * was first and last seen) and every `:by` key (Atlas leaves the others out), with their
 * line: `g` the `:by` values (`all`: the series id), `line` a hash of it; and their tags.
 * FINAL folds a series' rows of parts not merged yet before WHERE reads FirstSeen and
 * LastSeen (a series' tags are the same in all its rows); it costs the engine less than a
 * GROUP BY carrying any(Tags).
 */
function matchingSeries(query: TagQuery, groupBy: readonly string[], all: boolean, params: Params): string {
  const condition = tagCondition(query, catalogueTag, params);
  const group = groupKey(groupBy, catalogueTag, params);
  return `SELECT MetricName, SeriesId, Kind AS kind, ${all ? '[toString(SeriesId)]' : group.key} AS g, cityHash64(g) AS line, Tags AS tags
        FROM vigil_metric_series FINAL
        WHERE ${condition} AND ${group.present}
          AND LastSeen >= toDateTime(intDiv({start:Int64}, 1000) - 3600) AND FirstSeen < toDateTime(intDiv({end:Int64}, 1000))`;
}

/**
 * The part of a tag query that compares the metric name, as a query every series it matches
 * also matches (comparisons of other keys become true; a negation of them too).
 */
export function nameQuery(q: TagQuery): TagQuery {
  switch (q.op) {
    case 'true':
    case 'false':
      return q;
    case 'has':
      return { op: 'true' };
    case 'and':
    case 'or':
      return { op: q.op, left: nameQuery(q.left), right: nameQuery(q.right) };
    case 'not':
      return onlyNames(q.query) ? q : { op: 'true' };
    default:
      return q.key === NAME ? q : { op: 'true' };
  }
}

/** Whether a tag query compares the metric name only. */
function onlyNames(q: TagQuery): boolean {
  switch (q.op) {
    case 'true':
    case 'false':
      return true;
    case 'has':
      return false;
    case 'and':
    case 'or':
      return onlyNames(q.left) && onlyNames(q.right);
    case 'not':
      return onlyNames(q.query);
    default:
      return q.key === NAME;
  }
}

/**
 * What a data request needs before it reads data, in one statement (TabSeparated, the first
 * field says which): `line` rows, at most {limit}: per line its key, `:by` values, metric names,
 * number of series, (`all`: one series per line) the series' name and tags, and kinds; and
 * `roll` rows: per metric of the query's names and hour of the window, the latest roll
 * (vigil_metric_rollup_hours) if no row of that hour was ingested after it
 * (vigil_metric_hour_ingest): name, hour (unix s), version.
 */
export function resolveSql(query: TagQuery, groupBy: readonly string[], w: MinuteWindow, limit: number, all: boolean): { query: string; params: Params } {
  const params: Params = { limit };
  windowParams(w, params);
  const names = tagCondition(nameQuery(query), catalogueTag, params);
  const sql = `SELECT * FROM (
        SELECT 'line', toString(line), toJSONString(any(g)), toJSONString(groupUniqArray(MetricName)), toString(count()),
            ${all ? 'any(MetricName), toJSONString(any(tags))' : "'', ''"}, toJSONString(groupUniqArray(kind))
        FROM (${matchingSeries(query, groupBy, all, params)})
        GROUP BY line
        LIMIT {limit:UInt32}
    )
    UNION ALL
    SELECT 'roll', MetricName, toString(toUnixTimestamp(Hour)), toString(max(Version) AS latest), '', '', '', ''
    FROM (
        -- one aggregation over both tables (cheaper for the engine than two and a join); the
        -- ingest rows carry Version 0, so argMax takes the covered time of the latest roll
        SELECT MetricName, Hour, Version, IngestTime AS covered, toDateTime(0) AS changed
        FROM vigil_metric_rollup_hours
        WHERE ${names} AND ${WINDOW_HOURS}
        UNION ALL
        SELECT MetricName, Hour, 0, toDateTime(0), IngestTime
        FROM vigil_metric_hour_ingest
        WHERE ${names} AND ${WINDOW_HOURS}
    )
    GROUP BY MetricName, Hour
    HAVING latest > 0 AND max(changed) <= argMax(covered, Version)`;
  return { query: sql, params };
}

// The per-minute values of a row, per kind, in two branches: the fast one for a row whose
// points are one per minute over consecutive minutes (for a counter also one start time and
// never decreasing: a full hour, the open hour so far, a series that began within the hour),
// the slow one (gaps, restarts, several gauge points in a minute) only evaluated for the rows
// that need it.

/**
 * Minutes 1..60 for a row on the slow branch, none for a fast row: the engine evaluates a
 * branch's lambdas for every row (its result is dropped for the others), so fast rows give
 * them nothing to do.
 */
const SLOW_MINUTES = 'range(1, if(fast, 1, 61))';
/** A counter's first point in its row counts only if its sequence started within the row (start s of Starts). */
const FIRST_POINT = (s: string) =>
  `if(sk[${s}] >= toInt64(toUnixTimestamp(Hour)) * 1000000000 - 60000000000 AND sv[${s}] % 2 = 0, cv[1], nan)`;
/**
 * The slow branch for a counter: per minute j (slot j), the increase its point brings, per
 * the OTLP rate recipe, over 60 s. p is the point's index among the row's slots; s[slot + 1]
 * the index of the start time in effect at a slot (the latest start first seen at or before
 * it). Both looked up once per minute, as arrays. (Few lambdas: the engine's planning time
 * grows with them, and it dominates for the few rows of an open hour.)
 */
const SLOW_COUNTER = `arrayMap((j, p, i) ->
        if(p = 0, nan,
        if(p = 1, ${FIRST_POINT('i')},
        if(i = s[ck[p - 1] + 1],
            -- same start: the difference; a drop is a restart without a new start time
            if(cv[p] >= cv[p - 1], cv[p] - cv[p - 1], cv[p]),
            -- a new start: everything counted since it, unless the start is unknown
            if(sv[i] % 2 = 1, 0, cv[p])))) / 60,
        ${SLOW_MINUTES}, arrayMap(j -> indexOf(ck, j), ${SLOW_MINUTES}), arrayPopFront(s))`;
/** For SLOW_COUNTER: per slot 0..60 (slow rows only), the index of the start time in effect. */
const SLOW_STARTS = `arrayMap(j -> arrayCount(x -> intDiv(x, 2) <= j, sv), range(0, if(fast, 0, 61))) AS s`;

/** Series kinds: how a row's minute values are made. */
export type Kind = 'cumulative' | 'delta' | 'gauge';
export const KINDS: readonly Kind[] = ['cumulative', 'delta', 'gauge'];
/** The kind codes of ROW_KIND. */
const KIND_CODE: Record<Kind, number> = { cumulative: 1, delta: 2, gauge: 3 };

/**
 * One expression per kind, for the kinds a statement reads only: the engine's planning time
 * grows with the expression (it dominates for the few rows of an open hour), so a counter query
 * does not carry the gauge branches.
 */
function byKind(kinds: readonly Kind[], expressions: Record<Kind, string>): string {
  const used = KINDS.filter((k) => kinds.includes(k));
  const last = used.at(-1);
  if (last === undefined) throw new Error('a statement reads at least one kind');
  const cases = used.slice(0, -1).map((k) => `kind = ${KIND_CODE[k]}, ${expressions[k]}`);
  return cases.length === 0 ? expressions[last] : `multiIf(${cases.join(', ')}, ${expressions[last]})`;
}

/**
 * What a statement built with `fastOnly` raises (throwIf) on a row that needs the slow branch:
 * the caller then runs it again with both branches.
 */
export const SLOW_ROWS = 'vigil: a metric hour row needs the slow branch';

/**
 * Per row: `fast` and `r`, the 60 minute values (rates per second, or gauge values; NaN:
 * none). The fast branch: the values of the row's points in order (a counter's: the first
 * point's unless the row starts with the minute carried from the previous hour, then the
 * differences), after `lead` minutes without a value, up to 60 minutes. `fastOnly` leaves the
 * slow branch out (its lambdas are a large share of the statement's planning) and fails on a
 * row that needs it.
 */
function minuteValues(kinds: readonly Kind[], fastOnly: boolean): string {
  const fast = byKind(kinds, {
    cumulative: 'length(sk) = 1 AND ck[-1] - ck[1] = length(ck) - 1 AND arrayMin(arrayPopFront(arrayDifference(cv))) >= 0',
    delta: 'dk[-1] - dk[1] = length(dk) - 1',
    gauge: 'arrayAll(d -> d = 1, arrayPopFront(arrayDifference(arrayMap(k -> intDiv(k, 60000), gk))))',
  });
  const points = byKind(kinds, {
    cumulative: `arrayConcat(if(ck[1] = 0, [], [${FIRST_POINT('1')} / 60]), arrayPopFront(arrayDifference(cv)) / 60)`,
    delta: 'dv / 60',
    gauge: 'gv',
  });
  const lead = byKind(kinds, { cumulative: 'if(ck[1] = 0, 0, ck[1] - 1)', delta: 'dk[1] - 1', gauge: 'intDiv(gk[1], 60000) - 1' });
  const common = `${fast} AS fast, ${points} AS points, ${lead} AS lead`;
  // throwIf is 0 on the rows it lets through; adding it to `lead` keeps it in the plan.
  if (fastOnly) return `${common}, arrayResize(arrayConcat(arrayWithConstant(lead + throwIf(NOT fast, '${SLOW_ROWS}'), nan), points), 60, nan) AS r`;
  const slow = byKind(kinds, {
    cumulative: SLOW_COUNTER,
    delta: `arrayMap(p -> if(p = 0, nan, dv[p] / 60), arrayMap(j -> indexOf(dk, j), ${SLOW_MINUTES}))`,
    // the latest point of each minute (keys are slot * 60000 + ms, sorted)
    gauge: `arrayMap(p -> if(p = 0, nan, gv[p]), arrayMap(j -> arrayLastIndex(k -> intDiv(k, 60000) = j, gk), ${SLOW_MINUTES}))`,
  });
  return `
        ${common},
        ${kinds.includes('cumulative') ? `${SLOW_STARTS},` : ''}
        if(fast, arrayResize(arrayConcat(arrayWithConstant(lead, nan), points), 60, nan), ${slow}) AS r`;
}

/** A row's kind (KIND_CODE) from the map its points are in: a series has one kind (its id hashes it). */
const ROW_KIND = `multiIf(notEmpty(Counter.1), ${KIND_CODE.cumulative}, notEmpty(Delta.1), ${KIND_CODE.delta}, ${KIND_CODE.gauge})`;

/**
 * Rows of vigil_metric_hours `from` (a FROM ... WHERE clause; FINAL folds unmerged parts) of
 * series of `kinds`, as `keys`, Hour, `fast` and `r` (minuteValues).
 */
function hourRows(keys: string, kinds: readonly Kind[], from: string, fastOnly = false): string {
  return `SELECT ${keys}, Hour, ${minuteValues(kinds, fastOnly)}
    FROM (
        SELECT ${keys}, ${ROW_KIND} AS kind,
            Hour, Counter.1 AS ck, Counter.2 AS cv, Starts.1 AS sk, Starts.2 AS sv, Gauge.1 AS gk, Gauge.2 AS gv, Delta.1 AS dk, Delta.2 AS dv
        ${from}
    )`;
}

/** The hours of the window, as a condition on `Hour`. */
const WINDOW_HOURS = 'Hour >= toStartOfHour(toDateTime(intDiv({start:Int64}, 1000))) AND Hour < toDateTime(intDiv({end:Int64}, 1000))';

/**
 * A row's minute values `r` (NaN: none) in the rollup's form (vigil_metric_rollup): `v` the
 * values with 0 where none, `p` the bit mask of the minutes with a value. Computed hours take
 * this form too, so both paths aggregate alike.
 */
const ROLLED_FORM = `arrayMap(x -> if(isNaN(x), 0, x), r) AS v,
        arraySum(arrayMap((x, i) -> if(isNaN(x), toUInt64(0), bitShiftLeft(toUInt64(1), i)), r, range(60))) AS p`;

/**
 * Per line and hour, from rows in the rollup's form: `a` the minute values across the line's
 * series, `n` where the line has a value (1 where any series has one; `count` needs the number,
 * which it is). Atlas: NaN only when every series is NaN, so absent minutes are left out (sums
 * add their zeros; min and max see the neutral value there).
 */
const ANY_PRESENT = 'arrayMap(i -> toUInt64(bitTest(groupBitOr(p), i)), range(60)) AS n';
const ACROSS_SERIES: Record<Aggregation | 'all', string> = {
  sum: `sumForEach(v) AS a, ${ANY_PRESENT}`,
  count: 'sumForEach(arrayMap(i -> toUInt64(bitTest(p, i)), range(60))) AS n, arrayMap(x -> toFloat64(x), n) AS a',
  min: `minForEach(arrayMap((x, i) -> if(bitTest(p, i), x, inf), v, range(60))) AS a, ${ANY_PRESENT}`,
  max: `maxForEach(arrayMap((x, i) -> if(bitTest(p, i), x, -inf), v, range(60))) AS a, ${ANY_PRESENT}`,
  all: 'any(arrayMap((x, i) -> if(bitTest(p, i), x, nan), v, range(60))) AS a, arrayMap(i -> toUInt64(bitTest(any(p), i)), range(60)) AS n',
};

/** A fresh roll of a metric's hour (the `roll` rows of resolveSql). */
export interface Roll {
  name: string;
  /** Unix seconds. */
  hour: number;
  version: string;
}

/** Which hours of a data request come from which path (splitHours). */
export interface HourPaths {
  /** Unix seconds of the hours computed from vigil_metric_hours. */
  computed: readonly number[];
  /** The rolls read from vigil_metric_rollup: every metric's, for each rolled hour. */
  rolled: readonly Roll[];
}

/** Rolls grouped by their hour (unix seconds). */
export function rollsByHour(rolls: readonly Roll[]): Map<number, Roll[]> {
  const perHour = new Map<number, Roll[]>();
  for (const roll of rolls) {
    const list = perHour.get(roll.hour) ?? [];
    perHour.set(roll.hour, list);
    list.push(roll);
  }
  return perHour;
}

/**
 * Splits the window's hours between the two paths: an hour is read from the rollup when every
 * metric of the request has a fresh roll of it, else computed (open hours, stale rolls, hours
 * stored before the rollup existed). One path per hour, so a line's hour comes whole from one.
 */
export function splitHours(names: readonly string[], rolls: readonly Roll[], w: MinuteWindow): HourPaths {
  const first = Math.floor(w.start / 3_600_000) * 3600;
  const perHour = rollsByHour(rolls.filter((roll) => names.includes(roll.name)));
  const computed: number[] = [];
  const rolled: Roll[] = [];
  for (let hour = first; hour * 1000 < w.end; hour += 3600) {
    const hourRolls = perHour.get(hour) ?? [];
    if (names.every((name) => hourRolls.some((r) => r.name === name))) rolled.push(...hourRolls);
    else computed.push(hour);
  }
  return { computed, rolled };
}

/**
 * Finer values into one step (Atlas cf-*): minutes without a value are skipped, except that
 * cf-avg divides by every minute of the step (a partly filled step averages NaN as 0).
 */
const CONSOLIDATE: Record<Consolidation, string> = {
  avg: 'sum(x) / ({step:Int64} / 60000)',
  sum: 'sum(x)',
  min: 'min(x)',
  max: 'max(x)',
};

/** What a data request reads from the metric series (resolved by resolveSql first). */
export interface MetricRequest {
  query: TagQuery;
  groupBy: readonly string[];
  aggregation: Aggregation | 'all';
  consolidation: Consolidation;
  /** The metric names of the matched series. */
  names: readonly string[];
  /** The kinds of the matched series. */
  kinds: readonly Kind[];
}

/**
 * The metric lines of a data request: rows of a line key, the step indexes that have a value
 * and the values (one row per line, or per line and hour at a one-minute step). Per series and minute from the rolled-up rows of the rolled hours and computed
 * from the hour rows for the others, across the series of a line, then consolidated per step;
 * `all` keeps every series as its own line. `fastOnly`: the computed hours without the slow
 * branch (minuteValues; the statement fails with SLOW_ROWS on a row that needs it).
 */
export function fetchMetricSql(request: MetricRequest, w: MinuteWindow, hours: HourPaths, fastOnly = false): { query: string; params: Params } {
  const { aggregation } = request;
  const params: Params = {
    names: request.names,
    computed: hours.computed,
    rolledHours: [...new Set(hours.rolled.map((r) => r.hour))],
    rolls: hours.rolled.map((r) => new TupleParam([r.name, r.hour, BigInt(r.version)])),
  };
  windowParams(w, params);
  // Rows of both paths in the rollup's form, then each row's line: one hash join with the
  // matching series (no per-series parameters). Computed hours get their minute values for
  // every series of the names (the join comes after): a filter on the series before would be
  // a second read of the catalogue, which costs more than the fast branch's expressions.
  const computed = `SELECT SeriesId, Hour, ${ROLLED_FORM}
            FROM (${hourRows(
              'SeriesId',
              request.kinds,
              'FROM vigil_metric_hours FINAL WHERE MetricName IN {names:Array(String)} AND Hour IN {computed:Array(DateTime)}',
              fastOnly,
            )})`;
  const rolled = `SELECT SeriesId, Hour, Values AS v, Present AS p
            FROM vigil_metric_rollup
            WHERE MetricName IN {names:Array(String)} AND Hour IN {rolledHours:Array(DateTime)}
              AND (MetricName, Hour, Version) IN {rolls:Array(Tuple(String, DateTime, UInt64))}`;
  // Only the paths with hours (an empty IN list makes the engine read every hour).
  const paths = [...(hours.computed.length > 0 ? [computed] : []), ...(hours.rolled.length > 0 ? [rolled] : [])];
  if (paths.length === 0) throw new Error('a data request reads at least one hour');
  const lines = `(SELECT SeriesId, line FROM (${matchingSeries(request.query, request.groupBy, aggregation === 'all', params)})) AS s`;
  const perLineAndHour = `SELECT line, Hour, ${ACROSS_SERIES[aggregation]}
            FROM (
                ${paths.join('\n                UNION ALL\n                ')}
            ) AS rows INNER JOIN ${lines} USING (SeriesId)
            GROUP BY line, Hour`;
  // Rows of a line: its step indexes and values (finite numbers only), read as TabSeparated
  // with the arrays as JSON. At a one-minute step each step is one minute (its value is its
  // minute's under every consolidation): one row per line and hour, no regrouping; from a whole
  // minute, with the minutes of the hour outside the window too (steps < 0 or past the end:
  // the reader keeps the window's and caches a rolled hour whole). Otherwise one row per line,
  // its minutes of the window consolidated per step.
  const inWindow = w.start % MINUTE_MS === 0 ? '' : ' AND m >= {start:Int64} AND m < {end:Int64}';
  const sql =
    w.step === MINUTE_MS
      ? `SELECT toString(line),
        arrayMap(m -> intDiv(m - {start:Int64}, {step:Int64}), arrayFilter((m, keep) -> keep,
            arrayMap(i -> toInt64(toUnixTimestamp(Hour)) * 1000 + i * 60000, range(60)) AS minutes,
            arrayMap((m, x, k) -> k > 0 AND isFinite(x)${inWindow}, minutes, a, n) AS kept)),
        arrayFilter((x, keep) -> keep, a, kept)
    FROM (${perLineAndHour})`
      : `SELECT toString(line), groupArray(bucket) AS buckets, groupArray(value) AS values
    FROM (
        SELECT line, intDiv(minute - {start:Int64}, {step:Int64}) AS bucket, ${CONSOLIDATE[request.consolidation]} AS value
        FROM (${perLineAndHour})
        ARRAY JOIN arrayEnumerate(arrayResize(CAST([], 'Array(UInt8)'), 60)) AS i
        WHERE n[i] > 0
          AND (toInt64(toUnixTimestamp(Hour)) * 1000 + (i - 1) * 60000 AS minute) >= {start:Int64} AND minute < {end:Int64}
          AND isFinite(a[i] AS x)
        GROUP BY line, bucket
    )
    WHERE isFinite(value)
    GROUP BY line`;
  return { query: sql, params };
}

/** A metric's hour to roll up: unix seconds of the hour and of its latest ingest. */
export interface RollupHour {
  name: string;
  hour: number;
  ingested: number;
}

/**
 * Closed hours to roll up, oldest first: per metric, hours that ended `grace` ago, whose
 * latest ingest is more than `grace` old (no insert of it still running; strictly older, as
 * ingest times are whole seconds: a point ingested in the second of the roll is after it) and
 * later than what the hour's latest roll covered, or that have none.
 */
export function rollupCandidatesSql(graceSeconds: number, limit: number): { query: string; params: Params } {
  const sql = `SELECT name, hour, ingested
    FROM (
        SELECT MetricName AS name, Hour, toUnixTimestamp(Hour) AS hour, max(IngestTime) AS changed, toUnixTimestamp(changed) AS ingested
        FROM vigil_metric_hour_ingest
        WHERE Hour <= now() - toIntervalSecond(3600 + {grace:UInt32})
        GROUP BY MetricName, Hour
        HAVING changed < now() - toIntervalSecond({grace:UInt32})
    ) AS ingest
    LEFT JOIN (
        SELECT MetricName AS name, Hour, argMax(IngestTime, Version) AS covered
        FROM vigil_metric_rollup_hours
        GROUP BY MetricName, Hour
    ) AS rolls USING (name, Hour)
    WHERE rolls.covered < ingest.changed
    ORDER BY hour, name
    LIMIT {limit:UInt32}`;
  return { query: sql, params: { grace: graceSeconds, limit } };
}

/**
 * Writes the rolled-up rows of `hours` as roll `version`: every series' 60 minute values,
 * computed from the folded hour rows by the same expressions as a query (minuteValues).
 */
export function rollupInsertSql(hours: readonly RollupHour[], version: string): { query: string; params: Params } {
  const rows = hourRows('MetricName, SeriesId', KINDS, 'FROM vigil_metric_hours FINAL WHERE (MetricName, Hour) IN {hours:Array(Tuple(String, DateTime))}');
  const sql = `INSERT INTO vigil_metric_rollup (MetricName, Hour, SeriesId, Values, Present, Version, IngestTime)
    SELECT MetricName, Hour, SeriesId, ${ROLLED_FORM}, {version:UInt64}, now()
    FROM (${rows})`;
  return { query: sql, params: { hours: hours.map((h) => new TupleParam([h.name, h.hour])), version } };
}

/** Records that roll `version` covers `hours` as of their ingest times (written after its rows). */
export function rollupRecordSql(hours: readonly RollupHour[], version: string): { query: string; params: Params } {
  const sql = `INSERT INTO vigil_metric_rollup_hours (MetricName, Hour, Version, IngestTime)
    SELECT h.1, h.2, {version:UInt64}, h.3 FROM (SELECT arrayJoin({hours:Array(Tuple(String, DateTime, DateTime))}) AS h)`;
  return { query: sql, params: { hours: hours.map((h) => new TupleParam([h.name, h.hour, h.ingested])), version } };
}

/** The span series as (name, statistic) pairs, for an ARRAY JOIN ... AS series over span rollup rows. */
export const SPAN_SERIES_LIST = `[${SPAN_SERIES.map((s) => `('${s.name}', '${s.statistic}')`).join(', ')}]`;

/** A span rollup row's tags as a map, once joined with SPAN_SERIES_LIST. */
export const SPAN_ROW_TAGS = `mapFilter((k, v) -> v != '', map('name', series.1, 'statistic', series.2, ${Object.entries(SPAN_TAG_COLUMNS)
  .map(([k, c]) => `'${k}', ${c}`)
  .join(', ')}))`;

/**
 * The span RED series (vigil.span.*) of a data request: per minute one value per span
 * series, aggregated per group like the metric series.
 */
export function fetchSpanSql(
  query: TagQuery,
  groupBy: readonly string[],
  aggregation: Aggregation | 'all',
  cf: Consolidation,
  w: MinuteWindow,
): { query: string; params: Params } {
  const params: Params = {};
  windowParams(w, params);
  const condition = tagCondition(query, spanTag, params);
  const group = groupKey(groupBy, spanTag, params);
  const value = `multiIf(${SPAN_SERIES.map((s) => `series.1 = '${s.name}' AND series.2 = '${s.statistic}', ${s.value}`).join(', ')}, nan)`;
  const perMinute = `SELECT ${aggregation === 'all' ? `[toString(cityHash64(${SPAN_ROW_TAGS}))]` : group.key} AS g, ${aggregation === 'all' ? SPAN_ROW_TAGS : 'map()'} AS tags,
            toInt64(toUnixTimestamp(Minute)) * 1000 AS minute, ${value} AS r
        FROM (
            SELECT ServiceName, ServiceVersion, SpanName, SpanKind, StatusCode, Minute,
                sum(Calls) AS Calls, sum(Errors) AS Errors, sum(DurationSum) AS DurationSum, max(DurationMax) AS DurationMax
            FROM vigil_span_red_version_1m
            WHERE Minute >= toDateTime(intDiv({start:Int64}, 1000)) AND Minute < toDateTime(intDiv({end:Int64}, 1000))
            GROUP BY ServiceName, ServiceVersion, SpanName, SpanKind, StatusCode, Minute
        )
        ARRAY JOIN ${SPAN_SERIES_LIST} AS series
        WHERE ${condition} AND ${group.present}`;
  const across: Record<Aggregation | 'all', string> = { sum: 'sum(r)', count: 'toFloat64(count())', min: 'min(r)', max: 'max(r)', all: 'any(r)' };
  const sql = `SELECT g, any(tags) AS tags, groupArray((bucket, value)) AS points
    FROM (
        SELECT g, any(tags) AS tags, intDiv(minute - {start:Int64}, {step:Int64}) AS bucket, ${CONSOLIDATE[cf]} AS value
        FROM (SELECT g, any(tags) AS tags, minute, ${across[aggregation]} AS x FROM (${perMinute}) GROUP BY g, minute)
        GROUP BY g, bucket
    )
    GROUP BY g`;
  return { query: sql, params };
}

/** Tags of a raw histogram row, as the series views make them (0006_atlas.sql). */
const RAW_TAGS = `mapSort(mapUpdate(
    mapFilter((k, v) -> has({resourceKeys:Array(String)}, k), ResourceAttributes),
    mapFilter((k, v) -> k NOT IN ('name', 'statistic', 'percentile'), Attributes)))`;

/** Raw histogram rows: the name column and the tags computed like the views do. */
const rawTag: TagAccessor = (key, params) => {
  if (key === NAME) return { value: 'MetricName', present: '1' };
  const k = param(params, 'String', key);
  return { value: `Tags[${k}]`, present: `mapContains(Tags, ${k})` };
};

/** The window in nanoseconds, one step earlier (a cumulative histogram needs the step before). */
function bucketWindowParams(w: MinuteWindow, params: Params, resourceKeys: readonly string[]): void {
  windowParams(w, params);
  params.fromNs = (BigInt(w.start - w.step) * 1_000_000n).toString();
  params.toNs = (BigInt(w.end) * 1_000_000n).toString();
  params.resourceKeys = resourceKeys;
}

/**
 * Histogram points of the matching series, per series and step (index -1: the step before
 * the window): the latest point of the step for cumulative series, every point for delta.
 * `table` is one of the two histogram tables, chosen by the caller from a fixed pair.
 */
export function histogramPointsSql(
  table: 'otel_metrics_histogram' | 'otel_metrics_exponential_histogram',
  query: TagQuery,
  groupBy: readonly string[],
  w: MinuteWindow,
  resourceKeys: readonly string[],
): { query: string; params: Params } {
  const params: Params = {};
  bucketWindowParams(w, params, resourceKeys);
  const condition = tagCondition(query, rawTag, params);
  const group = groupKey(groupBy, rawTag, params);
  const buckets =
    table === 'otel_metrics_histogram'
      ? `(ExplicitBounds, BucketCounts)`
      : `(Scale, ZeroCount, ZeroThreshold, PositiveOffset, PositiveBucketCounts)`;
  const sql = `SELECT toString(cityHash64(MetricName, Tags)) AS series, any(g) AS g, step, AggregationTemporality = 1 AS delta,
        if(delta, groupArray(p), [argMax(p, TimeUnix)]) AS points
    FROM (
        SELECT MetricName, ${RAW_TAGS} AS Tags, ${group.key} AS g, AggregationTemporality, TimeUnix,
            intDiv(toUnixTimestamp64Milli(TimeUnix) - {start:Int64}, {step:Int64}) - (toUnixTimestamp64Milli(TimeUnix) < {start:Int64}) AS step,
            (toUnixTimestamp64Milli(StartTimeUnix), toUnixTimestamp64Milli(TimeUnix), ${buckets}) AS p
        FROM ${table}
        WHERE TimeUnix >= fromUnixTimestamp64Nano({fromNs:Int64}) AND TimeUnix < fromUnixTimestamp64Nano({toNs:Int64})
          AND bitAnd(Flags, 1) = 0
    )
    WHERE ${condition} AND ${group.present}
    GROUP BY series, step, delta`;
  return { query: sql, params };
}

/**
 * Span latency percentiles (vigil.span.duration) per group and step, in seconds, merged
 * from the per-minute t-digests. `levels` are 0..1 numbers checked by the caller (aggregate
 * function parameters cannot be query parameters).
 */
export function spanPercentilesSql(query: TagQuery, groupBy: readonly string[], levels: readonly number[], w: MinuteWindow): { query: string; params: Params } {
  if (!levels.every((l) => Number.isFinite(l) && l >= 0 && l <= 1)) throw new Error('percentile levels must be within 0..1');
  const params: Params = {};
  windowParams(w, params);
  const condition = tagCondition(query, spanTag, params);
  const group = groupKey(groupBy, spanTag, params);
  const sql = `SELECT g, step, arrayMap(x -> x / 1e9, quantilesTDigestMerge(${levels.map((l) => String(l)).join(', ')})(DurationQuantiles)) AS values
    FROM (
        SELECT ${group.key} AS g, intDiv(toInt64(toUnixTimestamp(Minute)) * 1000 - {start:Int64}, {step:Int64}) AS step, DurationQuantiles
        FROM vigil_span_red_version_1m
        ARRAY JOIN [('${SPAN_SERIES[2].name}', '')] AS series
        WHERE Minute >= toDateTime(intDiv({start:Int64}, 1000)) AND Minute < toDateTime(intDiv({end:Int64}, 1000))
          AND ${condition} AND ${group.present}
    )
    GROUP BY g, step`;
  return { query: sql, params };
}
