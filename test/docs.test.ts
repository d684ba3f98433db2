// Reference docs generated from, or checked against, the code they describe.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ingestSettings } from '../ingest/settings.ts';
import { querySettings } from '../query/settings.ts';
import { processSettings } from '../query/vigil.ts';
import { errorCatalog } from '../schemas/errors.ts';
import { renderSettingsMarkdown } from '../schemas/settings.ts';
import { storeSettings } from '../schemas/store.ts';

const doc = (name: string) => new URL(`../docs/${name}`, import.meta.url);

describe('docs', () => {
  it('docs/configuration.md is generated from every declared setting', () => {
    const generated = renderSettingsMarkdown([
      { title: 'Process', settings: processSettings },
      { title: 'Storage', settings: storeSettings },
      { title: 'Ingest', settings: ingestSettings },
      { title: 'Query', settings: querySettings },
    ]);
    if (process.env.UPDATE_DOCS) writeFileSync(doc('configuration.md'), generated);
    expect(readFileSync(doc('configuration.md'), 'utf8')).toBe(generated);
  });

  it('docs/errors.md lists every code of the error catalog with its status', () => {
    const text = readFileSync(doc('errors.md'), 'utf8');
    for (const [code, spec] of Object.entries(errorCatalog)) {
      expect(text, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${spec.status} \\| ${spec.grpc} \\|`));
    }
  });
});
