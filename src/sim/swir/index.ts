/** SWIR scene simulator: real AVIRIS reflectance + MODTRAN terms + Gaussian-plume CH4 + noise. See README.md. */
export * from './chn.ts';
export * from './extend.ts';
export * from './implant.ts';
export * from './load.ts';
export * from './noise.ts';
export * from './plume-field.ts';
export * from './radiance.ts';
export * from './scene.ts';
export * from './write.ts';
export * from './suite.ts';
