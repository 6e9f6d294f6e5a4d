/** LWIR scene simulator: Gross atmospheres + emissivity mixtures + a gas puff + HyTES noise. See README.md. */
export * from './fields.ts';
export * from './load.ts';
export * from './noise.ts';
export * from './scene.ts';
export * from './write.ts';
export * from './scenarios.ts';
export * from './suite.ts';
