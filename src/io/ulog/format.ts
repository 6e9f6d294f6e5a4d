/**
 * Descriptor of the PX4 ULog flight-log format: what it is called, how it is recognised, which
 * message types and topics plumetrace reads from it. Kept apart from the parser (parse.ts) so the
 * CLI, the server and format detection can use it without loading the parser; the test writer
 * (test-writer.ts) and the framing check (framing.ts) take their constants from here too.
 *
 * The topic convention (which uORB topics and fields carry position, time, wind and gas) is
 * documented in README.md beside this file.
 */

export const ulogFormat = {
  name: 'PX4 ULog',
  id: 'ulog',
  extensions: ['.ulg'],
  mimeTypes: ['application/octet-stream'],
  /** The first 7 bytes of every ULog file: 'ULog' 0x01 0x12 0x35. Byte 7 is the format version. */
  magic: [0x55, 0x4c, 0x6f, 0x67, 0x01, 0x12, 0x35],
  /** Magic (7) + version (1) + logging start timestamp (uint64 µs since boot). */
  headerBytes: 16,
  /** Every message starts with uint16 msg_size (bytes after this header) and uint8 msg_type. */
  messageHeaderBytes: 3,
  /** Newest format version this reader knows. */
  version: 1,
} as const;

/** The msg_type byte of each ULog message (ASCII letters). */
export const ULOG_MSG = {
  flagBits: 0x42, // 'B'
  format: 0x46, // 'F'
  info: 0x49, // 'I'
  infoMulti: 0x4d, // 'M'
  parameter: 0x50, // 'P'
  parameterDefault: 0x51, // 'Q'
  addLogged: 0x41, // 'A'
  removeLogged: 0x52, // 'R'
  data: 0x44, // 'D'
  log: 0x4c, // 'L'
  logTagged: 0x43, // 'C'
  sync: 0x53, // 'S'
  dropout: 0x4f, // 'O'
} as const;

/** Payload size of the flag-bits message: compat[8], incompat[8], appended_offsets[3] (uint64). */
export const ULOG_FLAG_BITS_BYTES = 40;

/** The 8 bytes of a synchronization message. */
export const ULOG_SYNC_MAGIC = [0x2f, 0x73, 0x13, 0x20, 0x25, 0x0c, 0xbb, 0x12] as const;

/** Size in bytes of each basic field type a ULog format string may use. */
export const ULOG_BASIC_TYPE_BYTES: Readonly<Record<string, number>> = {
  int8_t: 1,
  uint8_t: 1,
  int16_t: 2,
  uint16_t: 2,
  int32_t: 4,
  uint32_t: 4,
  int64_t: 8,
  uint64_t: 8,
  float: 4,
  double: 8,
  bool: 1,
  char: 1,
};

/**
 * The topics and fields plumetrace reads (see README.md). PX4 has no standard gas topic: the
 * `gas_concentration` topic is plumetrace's convention for a payload sensor logged into the ULog.
 */
export const ulogTopics = {
  /** Position: lat, lon (deg, WGS84), alt (m AMSL); terrain_alt + terrain_alt_valid when the EKF has terrain. */
  position: 'vehicle_global_position',
  /** Home position (alt, valid_alt): the ground reference when terrain is not valid. */
  home: 'home_position',
  /** Local position (z, NED: down positive; z_valid): the last-resort height reference. */
  localPosition: 'vehicle_local_position',
  /** GPS topics holding time_utc_usec, newest PX4 name first. */
  gps: ['sensor_gps', 'vehicle_gps_position'],
  gpsUtcField: 'time_utc_usec',
  /** Wind estimate topics (windspeed_north, windspeed_east in m/s), newest PX4 name first. */
  wind: ['wind', 'wind_estimate'],
  windNorthField: 'windspeed_north',
  windEastField: 'windspeed_east',
  /** plumetrace's gas convention: topic, concentration field (first present), optional label field. */
  gas: 'gas_concentration',
  gasFields: ['ppm', 'concentration_ppm'],
  gasLabelFields: ['gas', 'gas_id'],
  /** Sample time field preferred over `timestamp` (the publication time) when present and non-zero. */
  sampleTimeField: 'timestamp_sample',
  defaultGas: 'CH4',
} as const;

/** True when the bytes start with the ULog magic (the version byte is not checked). */
export function looksLikeULog(bytes: Uint8Array): boolean {
  if (bytes.length < ulogFormat.magic.length) return false;
  return ulogFormat.magic.every((b, i) => bytes[i] === b);
}
