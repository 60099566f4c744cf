/**
 * The command executor (any language): runs the user's command in its own process group with
 * REFIT_DATASET_DIR / REFIT_OUTPUT_DIR / REFIT_PARAMS (train) or REFIT_MODEL_DIR / REFIT_INPUT /
 * REFIT_OUTPUT_DIR (predict); on timeout the whole group is killed (nothing keeps running).
 * stdout and stderr are kept as the job's logs (the last 2,000 lines).
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  ok: boolean;
  code: number | null;
  logs: string[];
  error: string | null;
  /** pid of the group leader (tests check nothing is left). */
  pid: number | null;
}

export interface CommandControl {
  /** Aborting kills the whole process group (a cancelled run). */
  signal?: AbortSignal;
  /** Called with the group's pid once it started (recorded, so a later worker can end an orphan). */
  onStart?: (pid: number) => void;
}

export function runCommand(
  argv: string[],
  env: Record<string, string>,
  timeoutMs: number,
  cwd?: string,
  onLog?: (line: string) => void,
  control: CommandControl = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const logs: string[] = [];
    let partial = '';
    const push = (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        logs.push(l);
        onLog?.(l);
        if (logs.length > 2000) logs.shift();
      }
    };
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let timedOut = false;
    let aborted = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    const abort = () => {
      aborted = true;
      killGroup(child.pid);
    };
    if (control.signal?.aborted) abort();
    control.signal?.addEventListener('abort', abort, { once: true });
    if (child.pid) control.onStart?.(child.pid);
    child.stdout.on('data', push);
    child.stderr.on('data', push);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, code: null, logs, error: `${argv[0]} could not start: ${err.message}`, pid: null });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      control.signal?.removeEventListener('abort', abort);
      if (partial) logs.push(partial);
      // A finished leader may leave children behind in its group: end them too.
      killGroup(child.pid);
      if (aborted)
        return resolve({
          ok: false,
          code,
          logs,
          error: `${argv[0]} was cancelled; its process group was killed`,
          pid: child.pid ?? null,
        });
      if (timedOut)
        return resolve({
          ok: false,
          code,
          logs,
          error: `${argv[0]} did not finish within ${timeoutMs} ms; its process group was killed`,
          pid: child.pid ?? null,
        });
      if (code === 0) return resolve({ ok: true, code, logs, error: null, pid: child.pid ?? null });
      const tail = logs.filter(Boolean).slice(-3).join(' | ');
      resolve({
        ok: false,
        code,
        logs,
        error: `${argv[0]} exited with ${code ?? signal}${tail ? `: ${tail}` : ''}`,
        pid: child.pid ?? null,
      });
    });
  });
}

export function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* the group is already gone */
  }
}
