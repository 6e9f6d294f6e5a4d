/**
 * Reads the shipped inputs of the LWIR simulator from data/lwir through src/io/lwir: the 80 Gross
 * atmospheres, an emissivity library and the HyTES channels.
 */

import { channelsFromWavelengthUm } from '../../core/spectral/lwir-channels.ts';
import {
  atmosphereOf,
  DEFAULT_LWIR_DATA_DIR,
  type EmissivityLibraryName,
  readChannelList,
  readEmissivityLibrary,
  readGrosskcAtmospheres,
} from '../../io/lwir/index.ts';
import type { LwirInputs } from './scene.ts';

export function loadLwirInputs(
  emissivity: EmissivityLibraryName = 'grosskc',
  dataDir = DEFAULT_LWIR_DATA_DIR,
): LwirInputs {
  const set = readGrosskcAtmospheres(dataDir);
  const ch = readChannelList(`${dataDir.replace(/\/?$/, '/')}isofit_hytes_wavelengths.txt`);
  return {
    atmospheres: Array.from({ length: set.count }, (_, i) => atmosphereOf(set, i)),
    emissivity: readEmissivityLibrary(emissivity, dataDir),
    channels: channelsFromWavelengthUm(ch.centerUm, ch.fwhmUm),
    channelCenterUm: ch.centerUm,
    channelFwhmUm: ch.fwhmUm,
    sensor: 'HyTES',
  };
}
