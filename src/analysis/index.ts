/**
 * Analysis (DESIGN section 10): baselines, regression verdicts, graduation over runs, the budget.
 * A leaf: it reads RunResults (the current run and history) and imports nothing of the runner,
 * the reports or telemetry.
 */
export { MEASURES, measureNames, measureDef, findMeasure, type BadDirection, type MeasureDef } from '../result/measures.ts';
export { MODELS, MODEL_NAMES, madModel, iqrModel, percentileModel, tModel, mannWhitneyModel, type ModelName, type RegressionModel, type Bounds } from './models.ts';
export type { RegressionSettings } from './settings.ts';
export { comparableTests, measureValues, type BaselineQuery } from './baseline.ts';
export { judgeTest, judgeValue, confirm, confirmValues, confirmAll, stillOpen, evidenceAfter, pastFloors, unchangedWhy, type JudgeOptions, type Suspect, type TestJudgement } from './judge.ts';
export { successRatio, type SuccessRatio, type SuccessRatioSettings } from './success-ratio.ts';
export { mayStartTest, costOf, testCost, dayCost, type BudgetDecision, type BudgetInput, type BudgetSettings } from './budget.ts';
export { compareWithBaseline, compareRuns, judgePair, type MeasureComparison } from './comparison.ts';
export { sequentialJudge, openSuspect, addValue, sequentialState, SEQUENTIAL_DEFAULTS, type Evidence, type SequentialParams, type SequentialJudge } from './sequential.ts';
export { fitMixture, type Mixture } from './mixture.ts';
export { qnSpread } from './stats.ts';
export { changePoints, ranks, type ChangePointParams, type SplitPoint } from './changepoint.ts';
export { testChanges, latestChanges, CHANGEPOINT_DEFAULTS, type ChangePoint, type ChangeOptions, type VersionChange } from './change-history.ts';
