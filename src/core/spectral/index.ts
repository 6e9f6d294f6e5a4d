/**
 * Spectral detection: unit-absorption targets, background statistics, matched filter and ACE.
 * Pure (no Node APIs): cubes and tables come in as typed arrays; readers live in src/io.
 */
export * from './cube.ts';
export * from './matched-filter.ts';
export * from './matched-filter-naive.ts';
export * from './statistics.ts';
export * from './synthetic-cube.ts';
export * from './target.ts';
export * from './ime.ts';
export * from './plumes.ts';
export * from './mag1c.ts';
export * from './mag1c-naive.ts';
export * from './segments.ts';
export * from './detect.ts';
export * from './plume-map.ts';
