/**
 * Keeps the dependency rules of docs/DESIGN (and README "Layout") true in code, not only in prose:
 * core imports nothing else of ours and no Node API; io only core; sim core and io (its writers); pipeline no
 * server or cli; store only core. Test files are exempt.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const srcDir = new URL('.', import.meta.url).pathname;
const layers = ['core', 'io', 'sim', 'pipeline', 'store', 'server', 'cli'] as const;
type Layer = (typeof layers)[number];
const allowed: Record<Layer, Layer[]> = {
  core: [],
  io: ['core'],
  sim: ['core', 'io'],
  store: ['core'],
  pipeline: ['core', 'io', 'sim', 'store'],
  server: ['core', 'store', 'pipeline'],
  cli: ['core', 'io', 'sim', 'store', 'pipeline', 'server'],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('layering', () => {
  for (const layer of layers) {
    it(`${layer}/ imports only ${allowed[layer].join(', ') || 'nothing else of ours'}${layer === 'core' ? ' and no Node API' : ''}`, () => {
      const problems: string[] = [];
      for (const file of sources(join(srcDir, layer))) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
          const spec = m[1];
          const rel = relative(srcDir, file);
          if (layer === 'core' && (spec.startsWith('node:') || ['fs', 'path', 'crypto', 'os'].includes(spec))) {
            problems.push(`${rel} imports ${spec}`);
          }
          if (!spec.startsWith('.')) continue;
          const target = relative(srcDir, join(file, '..', spec)).split('/')[0] as Layer;
          if (target !== layer && layers.includes(target) && !allowed[layer].includes(target)) {
            problems.push(`${rel} imports ${spec}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
