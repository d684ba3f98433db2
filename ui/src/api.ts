// Calls to Vigil's query API. When the server asks for a token (VIGIL_QUERY_TOKENS), the app
// asks the user once and keeps it in localStorage; every call sends it as a bearer token.

const TOKEN_KEY = 'vigil.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function getToken(): string {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setToken(token: string): void {
  localStorage.setItem(TOKEN_KEY, token);
  tokenListeners.forEach((l) => l());
}

const tokenListeners = new Set<() => void>();
/** Called when a call is refused for want of a token, and when the token changes. */
export const unauthorizedListeners = new Set<() => void>();

export function onTokenChange(listener: () => void): () => void {
  tokenListeners.add(listener);
  return () => tokenListeners.delete(listener);
}

export type Params = Record<string, string | number | undefined | null | string[]>;

export function query(params: Params): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => search.append(k, x));
    else search.append(k, String(v));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

export async function apiGet<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  const token = getToken();
  let res: Response;
  try {
    res = await fetch(path + query(params), { headers: token ? { Authorization: `Bearer ${token}` } : {}, signal: signal ?? null });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'NETWORK', `Vigil did not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    if (res.status === 401) unauthorizedListeners.forEach((l) => l());
    const b = body as { code?: string; message?: string; errors?: Array<{ msg?: string }> } | undefined;
    const message = b?.message ?? b?.errors?.[0]?.msg ?? `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, b?.code ?? String(res.status), message);
  }
  return body as T;
}
