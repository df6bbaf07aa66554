/**
 * How Moodle receives parameters: PHP parses `a[b][0]=x` into nested arrays (keeping at most
 * max_input_vars + 1 fields, silently), then external_api::validate_parameters checks them against the
 * function's description. The error texts below are Moodle's own, as recorded in the fixtures.
 */

export type PhpValue = string | PhpArray;
export interface PhpArray {
  [key: string]: PhpValue;
}

/** PHP's parse_str, including its silent truncation past max_input_vars. */
export function parsePhpForm(body: string, maxInputVars: number): PhpArray {
  const root: PhpArray = {};
  const pairs = body === '' ? [] : body.split('&');
  // PHP keeps one field more than max_input_vars (checked on Moodle 5.0 / PHP 8.2).
  for (const pair of pairs.slice(0, maxInputVars + 1)) {
    const eq = pair.indexOf('=');
    const rawKey = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const m = /^([^[]+)((?:\[[^\]]*\])*)$/.exec(rawKey);
    if (!m) continue;
    const path = [m[1]!, ...[...m[2]!.matchAll(/\[([^\]]*)\]/g)].map((x) => x[1]!)];
    let node = root;
    path.forEach((seg, i) => {
      const key = seg === '' ? String(Object.keys(node).length) : seg;
      if (i === path.length - 1) {
        node[key] = value;
      } else {
        if (typeof node[key] !== 'object') node[key] = {};
        node = node[key];
      }
    });
  }
  return root;
}

function decode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

export type ParamType =
  'int' | 'bool' | 'raw' | 'text' | 'username' | 'alpha' | 'alphanumext' | 'notags' | 'float';

export type Desc =
  | { kind: 'value'; type: ParamType; required?: boolean; default?: string | number | boolean }
  | { kind: 'single'; keys: Record<string, Desc>; required?: boolean }
  | { kind: 'multiple'; content: Desc; required?: boolean };

export const v = (
  type: ParamType,
  opts: { optional?: boolean; default?: string | number | boolean } = {},
): Desc => ({
  kind: 'value',
  type,
  required: !opts.optional && opts.default === undefined,
  default: opts.default,
});
export const single = (keys: Record<string, Desc>, opts: { optional?: boolean } = {}): Desc => ({
  kind: 'single',
  keys,
  required: !opts.optional,
});
export const multiple = (content: Desc, opts: { optional?: boolean } = {}): Desc => ({
  kind: 'multiple',
  content,
  required: !opts.optional,
});

export class InvalidParameter extends Error {
  constructor(readonly debuginfo: string) {
    super('Invalid parameter value detected');
  }
}

/** external_api::validate_parameters: returns cleaned values (ints as numbers, bools as booleans). */
export function validate(desc: Desc, value: PhpValue | undefined): unknown {
  switch (desc.kind) {
    case 'value':
      return cleanValue(desc.type, value);
    case 'multiple': {
      if (typeof value !== 'object')
        throw new InvalidParameter(`Only arrays accepted. The bad value is: '${value ?? ''}'`);
      return Object.values(value).map((item) => validate(desc.content, item));
    }
    case 'single': {
      if (typeof value !== 'object')
        throw new InvalidParameter(`Only arrays accepted. The bad value is: '${value ?? ''}'`);
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(desc.keys)) {
        if (!(key in value)) {
          if (sub.required)
            throw new InvalidParameter(`Missing required key in single structure: ${key}`);
          if (sub.kind === 'value' && sub.default !== undefined) out[key] = sub.default;
          continue;
        }
        try {
          out[key] = validate(sub, value[key]);
        } catch (e) {
          if (!(e instanceof InvalidParameter)) throw e;
          throw new InvalidParameter(`${key} => Invalid parameter value detected: ${e.debuginfo}`);
        }
      }
      const unexpected = Object.keys(value).filter((k) => !(k in desc.keys));
      if (unexpected.length > 0)
        throw new InvalidParameter(
          `Unexpected keys (${unexpected.join(', ')}) detected in parameter array.`,
        );
      return out;
    }
  }
}

function cleanValue(type: ParamType, value: PhpValue | undefined): unknown {
  if (typeof value === 'object')
    throw new InvalidParameter(
      'Invalid external api parameter: the value is "Array", the server was expecting "' +
        type +
        '" type',
    );
  const s = value ?? '';
  const bad = () =>
    new InvalidParameter(
      `Invalid external api parameter: the value is "${s}", the server was expecting "${type}" type`,
    );
  switch (type) {
    case 'int':
      if (!/^-?\d+$/.test(s.trim())) throw bad();
      return Number(s);
    case 'float':
      if (s.trim() === '' || !Number.isFinite(Number(s))) throw bad();
      return Number(s);
    case 'bool':
      // PARAM_BOOL accepts 1/0 (and a few words PHP casts), never "true" as sent by JSON-minded clients.
      if (['1', '0', ''].includes(s)) return s === '1';
      if (['yes', 'on'].includes(s.toLowerCase())) return true;
      if (['no', 'off'].includes(s.toLowerCase())) return false;
      throw bad();
    case 'username':
      if (s !== s.toLowerCase() || !/^[a-z0-9_.@-]*$/.test(s)) throw bad();
      return s;
    case 'alpha':
      if (!/^[A-Za-z]*$/.test(s)) throw bad();
      return s;
    case 'alphanumext':
      if (!/^[A-Za-z0-9_-]*$/.test(s)) throw bad();
      return s;
    default:
      return s;
  }
}
