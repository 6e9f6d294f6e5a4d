/** Scenario simulators with known truth (tests, demo, benchmarks). File output lives in write.ts. */
export {
  INSITU_SIM_VERSION,
  type InSituSurvey,
  type InSituSurveyConfig,
  type InSituSurveyTruth,
  simulateInSituSurvey,
  surveyToCsv,
  type TransectTruth,
} from './insitu-survey.ts';
export { createRng, Rng } from '../core/random.ts';
