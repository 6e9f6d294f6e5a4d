import { describe, expect, it } from 'vitest';
import {
  atmosphereOf,
  joinAtmosphereTables,
  parseChannelList,
  parseGrosskcAtmosphereCsv,
  parseLumaSlumEmissivityCsv,
  readChannelList,
  readEmissivityLibrary,
  readGrosskcAtmospheres,
} from './index.ts';

// Expected values read by hand from the files in data/lwir (first/last rows, first/second columns).
describe('Gross LWIR atmospheres (data/lwir)', () => {
  const set = readGrosskcAtmospheres();

  it('holds 80 atmospheres on 800–1325 cm⁻¹ at 1 cm⁻¹', () => {
    expect(set.count).toBe(80);
    expect(set.wavenumberCm1.length).toBe(526);
    expect(set.wavenumberCm1[0]).toBe(800);
    expect(set.wavenumberCm1[525]).toBe(1325);
  });

  it('matches values read by hand from the three CSVs', () => {
    expect(set.transmittance[0][0]).toBe(0.164975); // tau, 800 cm⁻¹, atmosphere 1
    expect(set.transmittance[1][0]).toBe(0.183104); // atmosphere 2
    expect(set.pathRadiance[0][0]).toBe(8.738); // La, 800 cm⁻¹
    expect(set.pathRadiance[0][298]).toBe(2.0881); // La, 1098 cm⁻¹ (line 300)
    expect(set.pathRadiance[0][525]).toBe(2.5985); // La, 1325 cm⁻¹
    expect(set.downwellingRadiance[0][0]).toBe(11.092); // Ld, 800 cm⁻¹
    expect(set.downwellingRadiance[1][525]).toBe(3.41648); // Ld, 1325 cm⁻¹, atmosphere 2
    const a = atmosphereOf(set, 1);
    expect(a.name).toBe('grosskc-2');
    expect(a.downwellingRadiance[525]).toBe(3.41648);
    expect(() => atmosphereOf(set, 80)).toThrow(/0–79/);
  });
});

describe('emissivity libraries (data/lwir)', () => {
  it('Gross: 22 unlabeled materials on the atmospheres grid', () => {
    const lib = readEmissivityLibrary('grosskc');
    const n = lib.wavenumberCm1.length;
    expect(lib.materialNames.length).toBe(22);
    expect(n).toBe(526);
    expect(lib.emissivity[0]).toBe(0.048866); // material 1 at 800 cm⁻¹ (a metal)
    expect(lib.emissivity[21 * n]).toBe(0.99146); // material 22 at 800 cm⁻¹
    expect(lib.emissivity[n - 1]).toBe(0.0584032); // material 1 at 1325 cm⁻¹
    expect(lib.emissivity[22 * n - 1]).toBe(0.991309); // material 22 at 1325 cm⁻¹
  });

  it('LUMA SLUM: 74 named urban materials, 8–14 µm turned to ascending wavenumber', () => {
    const lib = readEmissivityLibrary('luma-slum');
    const n = lib.wavenumberCm1.length;
    expect(lib.materialNames.length).toBe(74);
    expect(lib.materialNames[0]).toBe('A001');
    expect(lib.materialNames[73]).toBe('Z008');
    expect(n).toBe(556);
    // Last file row (13.99582750792 µm) comes first; first row (8.0022438291697 µm) last.
    expect(lib.wavenumberCm1[0]).toBeCloseTo(1e4 / 13.99582750792, 9);
    expect(lib.wavenumberCm1[n - 1]).toBeCloseTo(1e4 / 8.0022438291697, 9);
    expect(lib.emissivity[0]).toBe(0.968711085556241); // A001 at 13.996 µm
    expect(lib.emissivity[n - 1]).toBe(0.944293575145949); // A001 at 8.002 µm
  });
});

describe('channel list (HyTES, data/lwir)', () => {
  it('reads 256 channels 7.52–12.01 µm with their FWHM', () => {
    const ch = readChannelList();
    expect(ch.centerUm.length).toBe(256);
    expect(ch.index[0]).toBe(0);
    expect(ch.centerUm[0]).toBe(7.519889831542969);
    expect(ch.fwhmUm[0]).toBe(0.027947461717706498);
    expect(ch.centerUm[255]).toBe(12.007699966430664);
    expect(ch.fwhmUm[255]).toBe(0.030662534396334495);
  });

  it('takes centres above 100 as nanometres', () => {
    const ch = parseChannelList('0 10000 30\n1 10020 30\n', 'nm.txt');
    expect(ch.centerUm[0]).toBeCloseTo(10, 12);
    expect(ch.fwhmUm[1]).toBeCloseTo(0.03, 12);
  });
});

describe('bad LWIR files give PT_ERR_LWIR_DATA_FORMAT naming file, line and column', () => {
  const head = '# comment\n';
  it('a value that is not a number', () => {
    expect(() => parseGrosskcAtmosphereCsv(`${head}800,0.5,0.6\n801,0.5,x\n`, 'tau.csv', 'transmittance')).toThrow(
      /PT_ERR_LWIR_DATA_FORMAT.*tau\.csv, line 3, column "column 3".*"x" is not a number/,
    );
  });
  it('a short row', () => {
    expect(() => parseGrosskcAtmosphereCsv(`${head}800,0.5,0.6\n801,0.5\n`, 'tau.csv', 'transmittance')).toThrow(
      /line 3.*2 columns, expected 3/,
    );
  });
  it('a transmittance above 1 and a negative radiance', () => {
    expect(() => parseGrosskcAtmosphereCsv(`${head}800,0.5\n801,1.5\n`, 'tau.csv', 'transmittance')).toThrow(
      /line 3.*transmittance 1\.5 lies outside 0–1/,
    );
    expect(() => parseGrosskcAtmosphereCsv(`${head}800,5\n801,-1\n`, 'La.csv', 'pathRadiance')).toThrow(
      /La\.csv, line 3.*pathRadiance -1/,
    );
  });
  it('a wavenumber axis that does not ascend', () => {
    expect(() => parseGrosskcAtmosphereCsv(`${head}800,0.5\n800,0.5\n`, 'tau.csv', 'transmittance')).toThrow(
      /line 3, column "wavenumber".*does not follow 800/,
    );
  });
  it('an emissivity file without the wavelength header, or with emissivity above 1', () => {
    expect(() => parseLumaSlumEmissivityCsv('"lambda","A001"\n8,0.9\n9,0.9\n', 'luma.csv')).toThrow(
      /luma\.csv, line 1.*expected "wavelength"/,
    );
    expect(() => parseLumaSlumEmissivityCsv('"wavelength","A001"\n8,0.9\n9,1.2\n', 'luma.csv')).toThrow(
      /line 3, column "A001".*emissivity 1\.2/,
    );
  });
  it('three atmosphere files on different grids or with different atmosphere counts', () => {
    const tau = parseGrosskcAtmosphereCsv(`${head}800,0.5,0.6\n801,0.5,0.6\n`, 'tau.csv', 'transmittance');
    const la = parseGrosskcAtmosphereCsv(`${head}800,1,1\n802,1,1\n`, 'La.csv', 'pathRadiance');
    const ld1 = parseGrosskcAtmosphereCsv(`${head}800,1\n801,1\n`, 'Ld.csv', 'downwellingRadiance');
    const ld2 = parseGrosskcAtmosphereCsv(`${head}800,1,1\n801,1,1\n`, 'Ld.csv', 'downwellingRadiance');
    const files = { tau: 'tau.csv', la: 'La.csv', ld: 'Ld.csv' };
    expect(() => joinAtmosphereTables(tau, la, ld2, files)).toThrow(/La\.csv.*wavenumber 802 differs from 801/);
    expect(() => joinAtmosphereTables(tau, tau, ld1, files)).toThrow(/Ld\.csv.*1 atmospheres but tau\.csv has 2/);
  });
  it('a missing file is PT_ERR_FILE_NOT_FOUND', () => {
    expect(() => readGrosskcAtmospheres('/nonexistent-dir')).toThrow(
      /PT_ERR_FILE_NOT_FOUND.*grosskc_lwir_tau_80atm\.csv/,
    );
  });
});
