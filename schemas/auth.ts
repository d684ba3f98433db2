// Optional bearer tokens (VIGIL_INGEST_TOKENS for OTLP, VIGIL_QUERY_TOKENS for the query API).
// Tokens are compared as SHA-256 digests with timingSafeEqual, so neither a token's content nor
// its length leaks through response timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Setting } from './settings.ts';

const digest = (token: string) => createHash('sha256').update(token).digest();

export class BearerTokens {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.map(digest);
  }

  /** False when no token is configured: then every request is let in. */
  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** Checks an `Authorization` header value (`Bearer <token>`; the scheme is case-insensitive). */
  allows(authorization: string | undefined): boolean {
    if (!this.enabled) return true;
    const m = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return false;
    const candidate = digest(m[1]!);
    // Every configured token is compared, so the time does not depend on which one matched.
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(d, candidate) || ok;
    return ok;
  }
}

/** A comma-separated token list setting; empty means authentication is off. */
export function tokens(env: string, doc: string): Setting<BearerTokens> {
  return {
    env,
    default: '',
    doc,
    parse: (raw) =>
      new BearerTokens(
        raw
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== ''),
      ),
  };
}

/** Whether a listen address only accepts local connections (else tokens should be set). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
