/**
 * Writes `<distDir>/chunk-composition.json` for the browser build: for each emitted JS file, the
 * share of its modules' source size that comes from each package group (Sentry, the federation
 * runtime, React, Next, the app). The benchmark uses it to say how much of a page's JavaScript
 * is Sentry or federation.
 *
 * The benchmark's builds add it by setting ZONE_BROWSER_BUILD_PLUGIN to this file's path
 * (@repo/next-config loads the class and adds it to the browser compiler); the zones' own builds
 * never carry it: it costs build time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Compiler, Module } from 'webpack';
import { REMOTE_NAMES } from '@repo/topology';

/** `remote`: a remote zone's own source (shop's modules, wherever they are compiled). */
export type PackageGroup = 'sentry' | 'federation' | 'react' | 'next' | 'remote' | 'other';

const REMOTE_SOURCE = new RegExp(`[\\\\/]apps[\\\\/](${REMOTE_NAMES.join('|')})[\\\\/](?!node_modules)`);

export function packageGroupOf(resource: string): PackageGroup {
  if (REMOTE_SOURCE.test(resource)) return 'remote';
  if (/[\\/]node_modules[\\/]@sentry/.test(resource)) return 'sentry';
  if (/[\\/]node_modules[\\/]@module-federation[\\/]|webpack[\\/]container|sharing/.test(resource)) return 'federation';
  if (/[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/.test(resource)) return 'react';
  if (/[\\/]node_modules[\\/]next[\\/]/.test(resource)) return 'next';
  return 'other';
}

export type ChunkComposition = Record<string, Partial<Record<PackageGroup, number>>>;

/** What the plugin writes into the build's output directory. */
export const CHUNK_COMPOSITION_FILE = 'chunk-composition.json';

export default class ChunkCompositionPlugin {
  constructor(private readonly outputFile: string = CHUNK_COMPOSITION_FILE) {}

  apply(compiler: Compiler) {
    compiler.hooks.afterEmit.tap('ChunkCompositionPlugin', (compilation) => {
      const composition: ChunkComposition = {};
      for (const chunk of compilation.chunks) {
        const shares: Partial<Record<PackageGroup, number>> = {};
        for (const module of compilation.chunkGraph.getChunkModulesIterable(chunk)) {
          // Scope hoisting merges modules into one ConcatenatedModule named after its root;
          // attribute each merged module by its own path.
          const merged = (module as Module & { modules?: Iterable<Module> }).modules;
          for (const part of merged ? [...merged] : [module]) {
            const group = packageGroupOf(part.nameForCondition() ?? part.identifier());
            shares[group] = (shares[group] ?? 0) + part.size();
          }
        }
        for (const file of chunk.files) if (file.endsWith('.js')) composition[file] = shares;
      }
      // Next's browser build emits into <distDir> with file names like static/chunks/…js,
      // which is also what follows /_next/ in the URLs the browser loads.
      mkdirSync(compiler.outputPath, { recursive: true });
      writeFileSync(join(compiler.outputPath, this.outputFile), JSON.stringify(composition));
    });
  }
}
