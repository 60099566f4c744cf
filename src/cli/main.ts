#!/usr/bin/env node
/**
 * The `refit` executable: runCli, with Ctrl-C and SIGTERM turned into an interrupt — the running
 * step stops its trainer and its run is released to resume (exit 130); a second signal exits now.
 */
import { runCli } from './run-cli.js';

const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
  });
}

runCli(process.argv.slice(2), {
  interrupt: interrupt.signal,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
}).then((code) => {
  process.exitCode = code;
});
