import { describe, expect, it } from 'vitest';
import { MAX_REGISTER_BYTES, readRegisterFile, registerInput } from '../../src/lib/register';

const CSV =
  'id,name,criticality,department,downtime_procedure,depends_on,services,functions\n' +
  'pacs,"PACS, the image archive",high,Radiology,Read at the modality,,Radiology,diagnostics\n';

describe('readRegisterFile', () => {
  it('reads a chosen file as text, keeping its name', async () => {
    const file = new File([CSV], 'systems.csv', { type: 'text/csv' });
    await expect(readRegisterFile(file)).resolves.toEqual({ file_name: 'systems.csv', csv: CSV });
  });

  it('decodes UTF-8; a byte-order mark is dropped (the backend would ignore it too)', async () => {
    const file = new File([new Uint8Array([0xef, 0xbb, 0xbf]), 'id,name\nécho,Échographie\n'], 'r.csv');
    const read = await readRegisterFile(file);
    expect(read.csv).toBe('id,name\nécho,Échographie\n');
  });

  it('falls back to a FileReader where Blob.text is missing', async () => {
    const file = new File([CSV], 'old.csv');
    Object.defineProperty(file, 'text', { value: undefined });
    await expect(readRegisterFile(file)).resolves.toEqual({ file_name: 'old.csv', csv: CSV });
  });

  it('refuses a file over 2 MB without reading it', async () => {
    const big = {
      name: 'huge.csv',
      size: MAX_REGISTER_BYTES + 1,
      text: () => Promise.reject(new Error('read')),
    };
    await expect(readRegisterFile(big)).rejects.toThrow(
      'huge.csv: a register file is at most 2 MB (this one is 2.0 MB)',
    );
  });

  it('refuses a binary file', async () => {
    const file = new File([new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00])], 'systems.xlsx');
    await expect(readRegisterFile(file)).rejects.toThrow('systems.xlsx: is not a text file');
  });

  it('names the file when it cannot be read', async () => {
    const broken = { name: 'gone.csv', size: 10, text: () => Promise.reject(new Error('NotFoundError')) };
    await expect(readRegisterFile(broken)).rejects.toThrow('gone.csv: could not be read (NotFoundError)');
  });
});

describe('registerInput', () => {
  it('is the import_systems input; pasted text gets a name for the log', () => {
    expect(registerInput('inc-1', { file_name: 'systems.csv', csv: CSV })).toEqual({
      incident: 'inc-1',
      file_name: 'systems.csv',
      csv: CSV,
    });
    expect(registerInput('inc-1', { file_name: '  ', csv: CSV }).file_name).toBe('pasted.csv');
  });
});
