/** LWIR inputs: Gross atmospheres, emissivity libraries, channel lists. See README.md. */
export * from './format.ts';
export * from './parse.ts';
export * from './read.ts';
