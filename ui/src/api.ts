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

export function apiGet<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  return apiCall<T>('GET', path, params, undefined, signal);
}

export function apiSend<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  return apiCall<T>(method, path, {}, body, signal);
}

async function apiCall<T>(method: string, path: string, params: Params, body: unknown, signal?: AbortSignal): Promise<T> {
  const token = getToken();
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path + query(params), { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: signal ?? null });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'NETWORK', `Vigil did not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  const text = await res.text();
  let answer: unknown;
  try {
    answer = text ? JSON.parse(text) : undefined;
  } catch {
    answer = undefined;
  }
  if (!res.ok) {
    if (res.status === 401) unauthorizedListeners.forEach((l) => l());
    const b = answer as { code?: string; message?: string; errors?: Array<{ msg?: string }> } | undefined;
    const message = b?.message ?? b?.errors?.[0]?.msg ?? `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, b?.code ?? String(res.status), message);
  }
  return answer as T;
}
