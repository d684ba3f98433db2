// Checks that reject one item (span, log record, data point) without failing its request:
// the rejected count and the first reasons go back as OTLP partial_success.

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO = /^0+$/;

export function traceIdProblem(id: string): string | undefined {
  if (!TRACE_ID.test(id) || ZERO.test(id)) return `invalid trace id ${JSON.stringify(id)} (want 16 bytes, not all zero)`;
  return undefined;
}

export function spanIdProblem(id: string, what = 'span id'): string | undefined {
  if (!SPAN_ID.test(id) || ZERO.test(id)) return `invalid ${what} ${JSON.stringify(id)} (want 8 bytes, not all zero)`;
  return undefined;
}

/** Collects rejections; keeps the first few reasons for the partial_success message. */
export class Rejections {
  count = 0;
  private readonly reasons: string[] = [];

  add(where: string, reason: string): void {
    this.count++;
    if (this.reasons.length < 3) this.reasons.push(`${where}: ${reason}`);
  }

  get message(): string {
    const more = this.count > this.reasons.length ? `; and ${this.count - this.reasons.length} more` : '';
    return `${this.count} rejected: ${this.reasons.join('; ')}${more}`;
  }
}
