/**
 * The map app's assets: the static files of web/public, the browser code of web/src bundled by
 * esbuild in memory (once per process, no build step), and maplibre-gl's own dist files, served
 * from node_modules with the worker beside the module as maplibre-gl 6 expects.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
const ENTRY = join(WEB_ROOT, 'src', 'main.ts');

/** Where maplibre-gl's dist files are served; the browser bundle imports the module from here. */
export const MAPLIBRE_PREFIX = '/vendor/maplibre-gl/';
const MAPLIBRE_FILES = new Set([
  'maplibre-gl.mjs',
  'maplibre-gl.mjs.map',
  'maplibre-gl-worker.mjs',
  'maplibre-gl-worker.mjs.map',
  'maplibre-gl.css',
]);

interface Bundle {
  js: string;
  map: string;
  etag: string;
}

let bundleCache: Promise<Bundle> | undefined;

/** The browser bundle, built on first use and kept for the life of the process. */
export function loadBundle(): Promise<Bundle> {
  if (!bundleCache) {
    bundleCache = buildBundle();
    bundleCache.catch(() => {
      bundleCache = undefined;
    });
  }
  return bundleCache;
}

async function buildBundle(): Promise<Bundle> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(WEB_ROOT, 'app.js'),
    write: false,
    sourcemap: 'linked',
    logLevel: 'silent',
    plugins: [
      {
        // maplibre-gl is not bundled: it finds its worker relative to its own module URL.
        name: 'maplibre-gl-vendor',
        setup(build) {
          build.onResolve({ filter: /^maplibre-gl$/ }, () => ({
            path: `${MAPLIBRE_PREFIX}maplibre-gl.mjs`,
            external: true,
          }));
        },
      },
    ],
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'));
  if (!js || !map) throw new Error('esbuild produced no bundle for web/src/main.ts');
  return {
    js: js.text,
    map: map.text,
    etag: `"${createHash('sha256').update(js.text).digest('base64url').slice(0, 32)}"`,
  };
}

/** Registers the page, its bundle and the vendored maplibre-gl files. */
export async function registerWebAssets(app: FastifyInstance): Promise<void> {
  // Build now, so a broken web/src fails the server start rather than the first page load.
  await loadBundle();

  await app.register(fastifyStatic, {
    root: join(WEB_ROOT, 'public'),
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    cacheControl: true,
    maxAge: 0,
    // The content security policy and the other security headers come from the auth plugin (helmet).
  });

  const require = createRequire(import.meta.url);
  const maplibreDist = dirname(require.resolve('maplibre-gl/dist/maplibre-gl.mjs'));
  await app.register(fastifyStatic, {
    root: maplibreDist,
    prefix: MAPLIBRE_PREFIX,
    decorateReply: false,
    wildcard: false,
    globIgnore: ['*-dev.*', '*.d.ts', '*-shared*'],
    allowedPath: (pathname) => MAPLIBRE_FILES.has(pathname.replace(/^\//, '')),
    // Unversioned URLs: revalidate (ETag) so an upgraded maplibre-gl never meets a stale worker.
    maxAge: 0,
  });

  const sendBundlePart = (part: 'js' | 'map') => async (request: FastifyRequest, reply: FastifyReply) => {
    const bundle = await loadBundle();
    reply.header('cache-control', 'no-cache').header('etag', bundle.etag);
    if (request.headers['if-none-match'] === bundle.etag) return reply.code(304).send();
    return reply
      .type(part === 'js' ? 'text/javascript; charset=utf-8' : 'application/json; charset=utf-8')
      .send(Buffer.from(bundle[part]));
  };
  app.get('/app.js', sendBundlePart('js'));
  app.get('/app.js.map', sendBundlePart('map'));
}
