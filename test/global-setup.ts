/**
 * Before all tests: compile `dist/` (CLI tests run the real executable) and, when CI=true, insist
 * on a PostgreSQL (REFIT_TEST_PG_URL) so the PostgreSQL half of the suite can never be skipped.
 */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
  if (process.env.CI === 'true' && !process.env.REFIT_TEST_PG_URL) {
    throw new Error(
      'CI=true but REFIT_TEST_PG_URL is not set: start PostgreSQL with scripts/start-test-postgres.sh (as .ci/run does)',
    );
  }
}
