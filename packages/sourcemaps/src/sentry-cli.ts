/** The sentry-cli binary from npm (@sentry/cli's platform package), run with its output kept. */
import { spawn } from 'node:child_process';
import { SentryCli } from '@sentry/cli';

export interface CliResult {
  readonly code: number;
  readonly output: string;
}

/** Runs sentry-cli; resolves with its exit code and its stdout+stderr (it prints reports on both). */
export function runSentryCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(SentryCli.getPath(), args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Like runSentryCli, but a failure is an error carrying the end of sentry-cli's output. */
export async function sentryCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<string> {
  const result = await runSentryCli(args, env);
  if (result.code !== 0) {
    // Its own backtrace (printed when RUST_BACKTRACE is set) says nothing to a user of this command.
    const tail = result.output.split('Stack backtrace:')[0]?.trim().split('\n').slice(-15).join('\n');
    throw new Error(`sentry-cli ${args.slice(0, 4).join(' ')} … exited with ${result.code}:\n${tail}`);
  }
  return result.output;
}
