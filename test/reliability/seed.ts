/**
 * Setup of the reliability suite: REFIT_FUZZ_SEED pins fast-check's seed so a run can be repeated
 * exactly (CI pins one, so its verdict depends on the code alone); without it every run explores
 * new inputs, and a failure prints the seed and path to replay it.
 */
import fc from 'fast-check';

const seed = process.env.REFIT_FUZZ_SEED;
if (seed !== undefined && seed !== '') {
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seed) });
}
