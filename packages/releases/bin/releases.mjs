#!/usr/bin/env node
/**
 * `releases <list|rollback|canary|promote|deploy> ...`: the release commands (src/cli.ts), run through tsx so
 * the package stays TypeScript without a build step.
 */
import { tsImport } from 'tsx/esm/api';

await tsImport('../src/cli.ts', import.meta.url);
