#!/usr/bin/env node
/** The `refit` executable: a one-liner around runCli. */
import { runCli } from './run-cli.js';

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
}).then((code) => {
  process.exitCode = code;
});
