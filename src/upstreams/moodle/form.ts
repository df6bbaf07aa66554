/**
 * Moodle's REST server reads PHP form arrays: `users[0][username]=x`, `options[ids][1]=12`. Booleans must
 * be 1/0 (Moodle rejects `true`), `undefined` means "leave the key out", and every leaf counts against PHP's
 * max_input_vars, past which fields are silently dropped.
 */
export type FormValue =
  string | number | boolean | undefined | null | FormValue[] | { [key: string]: FormValue };

export function encodeForm(
  params: Record<string, FormValue>,
  prefix?: string,
): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(params)) {
    append(fields, prefix ? `${prefix}[${key}]` : key, value);
  }
  return fields;
}

function append(fields: Array<[string, string]>, name: string, value: FormValue): void {
  // null is "no value" too: Moodle has no way to receive a null, and sending "" would set the field empty.
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => append(fields, `${name}[${i}]`, item));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) append(fields, `${name}[${k}]`, v);
  } else if (typeof value === 'boolean') {
    fields.push([name, value ? '1' : '0']);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new TypeError(`Moodle parameter ${name} is not a finite number`);
    fields.push([name, String(value)]);
  } else {
    fields.push([name, value]);
  }
}

export function countLeaves(value: FormValue): number {
  if (value === undefined || value === null) return 0;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + countLeaves(v), 0);
  if (typeof value === 'object')
    return Object.values(value).reduce<number>((n, v) => n + countLeaves(v), 0);
  return 1;
}

export function toBody(fields: Array<[string, string]>): string {
  return fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** wstoken, wsfunction, moodlewsrestformat: sent first, so truncation could never cut them. */
export const FIXED_FIELDS = 3;

/**
 * Splits items into consecutive chunks whose leaf count, plus the fixed fields and `extraLeaves` (other
 * params of the call), stays within `budget`. A single item over budget is an error, never a silent cut.
 */
export function chunkByBudget<T extends FormValue>(
  items: readonly T[],
  budget: number,
  extraLeaves = 0,
): T[][] {
  const room = budget - FIXED_FIELDS - extraLeaves;
  const chunks: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of items) {
    const leaves = Math.max(1, countLeaves(item));
    if (leaves > room)
      throw new RangeError(
        `one item has ${leaves} values, more than the ${room} a Moodle request may carry`,
      );
    if (used + leaves > room && current.length > 0) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += leaves;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
