// Serves the built UI (ui/dist, made by `npm install` / `npm start` through ui/build.ts) at /.
// Files are read and gzipped once at start-up; any other GET outside /api/ answers index.html
// so client routes (/traces/<id>, /logs?...) load the app. /api/*, /healthz and /readyz keep
// their own routes: Fastify matches static routes before this wildcard, and unknown /api/
// paths still get the API's 404.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

export const UI_DIST = fileURLToPath(new URL('../ui/dist/', import.meta.url));

/** Route config flag: the query-token hook lets these requests through (static files only). */
export interface PublicRouteConfig {
  public?: boolean;
}

/** True for the UI's files and client routes; /api/ paths the wildcard also matches stay behind the token. */
export function isPublicRoute(req: FastifyRequest): boolean {
  return (req.routeOptions.config as PublicRouteConfig).public === true && !isApiPath(req.url.split('?')[0] ?? '');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer | undefined;
  /** Hashed file names under assets/ never change: cache them for a year. */
  immutable: boolean;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Every file of the build by URL path ('/index.html', '/assets/index-abc.js'). */
export function loadAssets(dist: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of listFiles(dist)) {
    const path = '/' + relative(dist, file).split(sep).join('/');
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const body = readFileSync(file);
    const compressible = /^(text\/|image\/svg|application\/json)/.test(type) && body.length > 1024;
    assets.set(path, { type, body, gzip: compressible ? gzipSync(body, { level: 9 }) : undefined, immutable: path.startsWith('/assets/') });
  }
  return assets;
}

function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

function sendAsset(req: FastifyRequest, reply: FastifyReply, asset: Asset) {
  reply.type(asset.type).header('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache').header('Vary', 'Accept-Encoding');
  if (asset.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    return reply.header('Content-Encoding', 'gzip').send(asset.gzip);
  }
  return reply.send(asset.body);
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Vigil</title>
<p>The Vigil UI is not built. Run <code>npm run build:ui</code> (or <code>npm install</code>) and restart Vigil.
The API is at <a href="/api/openapi.json">/api/openapi.json</a>.</p>`;

export interface UiRoutesOptions {
  /** Directory of the built UI; default ui/dist. */
  dist?: string;
}

export const uiRoutes: FastifyPluginAsync<UiRoutesOptions> = async (app, options) => {
  const dist = options.dist ?? UI_DIST;
  let assets: Map<string, Asset>;
  try {
    statSync(join(dist, 'index.html'));
    assets = loadAssets(dist);
  } catch {
    app.log.warn({ dist }, 'the UI is not built: run `npm run build:ui`; / answers how');
    assets = new Map([['/index.html', { type: TYPES['.html']!, body: Buffer.from(NOT_BUILT), gzip: undefined, immutable: false }]]);
  }
  const index = assets.get('/index.html')!;
  const config: PublicRouteConfig = { public: true };

  app.get('/*', { config }, async (req, reply) => {
    let path: string;
    try {
      path = decodeURIComponent(req.url.split('?')[0] ?? '/');
    } catch {
      return reply.callNotFound();
    }
    if (isApiPath(path)) return reply.callNotFound();
    const asset = assets.get(path);
    if (asset) return sendAsset(req, reply, asset);
    // A missing hashed asset is a real 404 (an old page asking for a replaced bundle).
    if (path.startsWith('/assets/')) return reply.callNotFound();
    return sendAsset(req, reply, index);
  });
};
