/** "Léa N'Diaye" → "lea.ndiaye"-ready parts: accents removed, lower case, only [a-z0-9-] kept. */
export function ascii(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '');
}

/** Case- and accent-insensitive form of a text, for searching. */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();
}
