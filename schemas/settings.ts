// Typed settings from environment variables. Each process part declares its own
// settings next to the code that uses them (ingest/settings.ts, query/settings.ts);
// docs/configuration.md lists them all and a test keeps it in step.

export interface Setting<T> {
  readonly env: string;
  readonly default: string;
  readonly doc: string;
  parse(raw: string): T;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function fail(what: string, raw: string, want: string): never {
  throw new Error(`${what}=${JSON.stringify(raw)} is invalid: want ${want}`);
}

export function integer(env: string, def: number, doc: string, min = 0): Setting<number> {
  return {
    env,
    default: String(def),
    doc,
    parse: (raw) => {
      const n = Number(raw);
      return Number.isSafeInteger(n) && n >= min ? n : fail(env, raw, `an integer >= ${min}`);
    },
  };
}

/** Bytes, e.g. `8MiB`, `64MB`, `1048576`. */
export function size(env: string, def: string, doc: string): Setting<number> {
  return {
    env,
    default: def,
    doc,
    parse: (raw) => {
      const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
      const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
      return m && unit !== undefined ? Math.round(Number(m[1]) * unit) : fail(env, raw, 'a size like 8MiB, 64MB or 1048576');
    },
  };
}

/** Milliseconds, e.g. `200ms`, `5s`, `1m`. */
export function duration(env: string, def: string, doc: string): Setting<number> {
  return {
    env,
    default: def,
    doc,
    parse: (raw) => {
      const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(raw);
      return m ? Math.round(Number(m[1]) * DURATION_UNITS[m[2]!]!) : fail(env, raw, 'a duration like 200ms, 5s or 1m');
    },
  };
}

export function text(env: string, def: string, doc: string): Setting<string> {
  return { env, default: def, doc, parse: (raw) => raw };
}

export type SettingValues<S extends Record<string, Setting<unknown>>> = { [K in keyof S]: ReturnType<S[K]['parse']> };

/** Reads every setting from `env`, falling back to its default; throws naming the variable on a bad value. */
export function readSettings<S extends Record<string, Setting<unknown>>>(
  settings: S,
  env: NodeJS.ProcessEnv = process.env,
): SettingValues<S> {
  const values: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(settings)) {
    const raw = env[s.env];
    values[key] = s.parse(raw === undefined || raw === '' ? s.default : raw);
  }
  return values as SettingValues<S>;
}

export interface SettingsSection {
  title: string;
  settings: Record<string, Setting<unknown>>;
}

/** docs/configuration.md, generated from the declarations (see test/docs.test.ts). */
export function renderSettingsMarkdown(sections: readonly SettingsSection[]): string {
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from the settings declared in the code; do not edit. Regenerate with `UPDATE_DOCS=1 npx vitest run test/docs.test.ts`. -->',
    '',
    'Vigil reads its settings from environment variables. Sizes take `B`, `KB`, `MB`, `GB`, `KiB`, `MiB`, `GiB`; durations take `ms`, `s`, `m`, `h`.',
  ];
  for (const section of sections) {
    lines.push('', `## ${section.title}`, '', '| variable | default | what |', '| --- | --- | --- |');
    for (const s of Object.values(section.settings)) {
      lines.push(`| \`${s.env}\` | ${s.default === '' ? '(empty)' : `\`${s.default}\``} | ${s.doc} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
