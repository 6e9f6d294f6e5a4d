/**
 * Descriptor of the EMIT L1B at-sensor radiance product (NetCDF-4, i.e. HDF5), as distributed by
 * NASA LP DAAC (`EMIT_L1B_RAD_001_<time>_<orbit>_<scene>.nc`). Kept apart from the reader.
 *
 * Layout we read (the paths and shapes are checked; anything else in the file is ignored):
 *
 *   /radiance                           float32 [downtrack, crosstrack, bands], _FillValue -9999,
 *                                        µW cm⁻² sr⁻¹ nm⁻¹ — already BIP: line = downtrack,
 *                                        sample = crosstrack
 *   /sensor_band_parameters/wavelengths float32 [bands], nm (required)
 *   /sensor_band_parameters/fwhm        float32 [bands], nm (optional)
 *   /location/lat, /location/lon        float64 [downtrack, crosstrack], degrees (required)
 *
 * A float64 `radiance` is accepted too. Without a `_FillValue` attribute, -9999 is taken as fill.
 */

export const emitL1bRadianceFormat = {
  name: 'EMIT L1B radiance (NetCDF-4/HDF5)',
  id: 'emit-l1b-rad',
  extensions: ['.nc'],
  mimeTypes: ['application/x-netcdf'],
  /** The HDF5 signature, found at offset 0 or, after a user block, at 512, 1024, 2048, … */
  magic: Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a),
  magicOffsets: [0, 512, 1024, 2048, 4096, 8192, 16384],
  fileNamePattern: /^EMIT_L1B_RAD_/i,
  paths: {
    radiance: 'radiance',
    wavelengths: 'sensor_band_parameters/wavelengths',
    fwhm: 'sensor_band_parameters/fwhm',
    lat: 'location/lat',
    lon: 'location/lon',
  },
  dimensions: ['downtrack', 'crosstrack', 'bands'],
  fillValueAttribute: '_FillValue',
  defaultFillValue: -9999,
} as const;

/** True when `bytes` (read from `offset` in the file) hold the HDF5 signature at their start. */
export function isHdf5Signature(bytes: Uint8Array): boolean {
  const m = emitL1bRadianceFormat.magic;
  if (bytes.length < m.length) return false;
  for (let i = 0; i < m.length; i++) if (bytes[i] !== m[i]) return false;
  return true;
}

/** NetCDF-3 classic files start `CDF\x01` or `CDF\x02`: readable by other tools, not by this reader. */
export function isNetcdf3Signature(bytes: Uint8Array): boolean {
  return (
    bytes[0] === 0x43 && bytes[1] === 0x44 && bytes[2] === 0x46 && (bytes[3] === 1 || bytes[3] === 2 || bytes[3] === 5)
  );
}
