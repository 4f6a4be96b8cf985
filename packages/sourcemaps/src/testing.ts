/** For the tests: a zone's production output as Next and nextjs-mf write it, small and by hand. */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// Minified output as Next writes it: "use strict" and all the code on line 1, a hidden map beside it.
export const CODE = '"use strict";(()=>{function f(o){throw new Error("broke "+o)}f(1)})();\n';
const MAP = JSON.stringify({
  version: 3,
  file: 'x.js',
  sources: ['webpack://shop/./src/exposed/BrokenComponent.tsx'],
  sourcesContent: ['export function f(o) {\n  throw new Error("broke " + o);\n}\nf(1);\n'],
  names: ['f', 'o', 'Error'],
  mappings: 'aAAA,MAAA,SAASA,EAAEC,GACT,MAAM,IAAIC',
});

export function write(root: string, file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

/** A production build of shop, shaped like Next's and nextjs-mf's output. */
export function fakeBuild(): string {
  const app = mkdtempSync(join(tmpdir(), 'sourcemaps-prepare-'));
  const dist = join(app, 'shop', '.next');
  for (const file of ['server/chunks/42.js', 'static/chunks/__federation_expose_BrokenComponent-1a2b.js', 'static/chunks/remoteEntry.js']) {
    write(dist, file, CODE.replace('broke', file));
    write(dist, `${file}.map`, MAP);
  }
  // nextjs-mf's copies of the server output: `ssr/` for the server, `static/ssr/` for hosts.
  cpSync(join(dist, 'server'), join(dist, 'ssr'), { recursive: true });
  cpSync(join(dist, 'server'), join(dist, 'static', 'ssr'), { recursive: true });
  write(dist, 'static/BUILD/_buildManifest.js', 'self.__BUILD_MANIFEST={};\n');
  return dist;
}
