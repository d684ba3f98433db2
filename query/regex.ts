// Regular expressions from requests are compiled by the engine's own re2 before they are used
// in a search, so an invalid one answers 400 naming the parameter rather than a failed query.
import type { ClickHouseClient } from '@clickhouse/client';
import { CHECK_REGEX } from './attribute-sql.ts';
import { bad } from './params.ts';

/** Contract: resolves undefined for a valid expression, else the engine's reason (one line). */
export interface RegexChecker {
  check(re: string): Promise<string | undefined>;
}

export class ClickHouseRegexChecker implements RegexChecker {
  constructor(private readonly client: ClickHouseClient) {}

  async check(re: string): Promise<string | undefined> {
    try {
      const result = await this.client.query({ query: CHECK_REGEX, query_params: { re }, format: 'JSONEachRow' });
      await result.json();
      return undefined;
    } catch (error) {
      const message = (error as Error).message;
      // Only a compile failure is the client's fault; anything else is a storage failure.
      if (!/CANNOT_COMPILE_REGEXP|cannot compile re2/.test(message)) throw error;
      const reason = /cannot compile re2: .*?, error: ([^:\n]*)/.exec(message)?.[1]?.trim();
      return reason === undefined || reason === '' ? 'not a valid re2 regular expression' : `not a valid re2 regular expression (${reason})`;
    }
  }
}

export async function checkRegexes(checker: RegexChecker, regexes: readonly string[], name: string): Promise<void> {
  for (const re of regexes) {
    const why = await checker.check(re);
    if (why !== undefined) throw bad(name, `${JSON.stringify(re)} is ${why}`);
  }
}
