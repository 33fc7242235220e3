// Reading a clinical systems register (CSV) chosen in a file input, entirely in the page: the text
// goes to import_systems, which parses and validates it and names the line and field of any error.
import type { RegisterInput } from './bindings';

/** import_systems refuses larger files; refusing here spares reading one. */
export const MAX_REGISTER_BYTES = 2_000_000;

export interface RegisterFile {
  file_name: string;
  csv: string;
}

/** What a file input hands over: a name and the bytes. */
export interface NamedBlob {
  name: string;
  size: number;
  text?: () => Promise<string>;
}

function viaReader(file: NamedBlob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '');
    reader.onerror = () => reject(reader.error ?? new Error(`${file.name}: could not be read`));
    reader.readAsText(file as unknown as Blob, 'utf-8');
  });
}

/** Reads the file as UTF-8 text. Throws an Error naming the file when it is too large or unreadable. */
export async function readRegisterFile(file: NamedBlob): Promise<RegisterFile> {
  if (file.size > MAX_REGISTER_BYTES) {
    const mb = (file.size / 1_000_000).toFixed(1);
    throw new Error(`${file.name}: a register file is at most 2 MB (this one is ${mb} MB)`);
  }
  let csv: string | null = null;
  let failure = '';
  try {
    csv = typeof file.text === 'function' ? await file.text() : await viaReader(file);
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  }
  if (csv === null) throw new Error(`${file.name}: could not be read (${failure})`);
  if (csv.includes('\u0000')) {
    throw new Error(`${file.name}: is not a text file (a CSV register is UTF-8 text)`);
  }
  return { file_name: file.name, csv };
}

/** The import_systems input for text pasted into the page (named so the log says where it came from). */
export function registerInput(incident: string, file: RegisterFile): RegisterInput {
  return { incident, file_name: file.file_name.trim() || 'pasted.csv', csv: file.csv };
}
