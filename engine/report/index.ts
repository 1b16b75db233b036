/**
 * The reporter: the only code that prints during a run. See reporter.ts.
 */
export { createReporter, type Reporter, type ReporterOptions } from './reporter.ts';
export { unifiedDiff, diffLines, type UnifiedDiffOptions } from './unified-diff.ts';
export { CENSORED_MSG } from './format.ts';
