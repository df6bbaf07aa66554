import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

/** Where the settings came from, for the start line: the file read (if any) and how many values it gave. */
export interface EnvironmentSource {
  file?: string;
  fromFile: number;
}

/**
 * The process environment over the `.env` file (ENV_FILE names another; `ENV_FILE=none` reads none), as
 * `.env.example` promises: a variable set in the environment wins over the file, and an empty value counts as
 * unset in both (so `.env.example` copied as shipped means "all defaults", not "9 invalid values").
 */
export function readEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): { env: NodeJS.ProcessEnv; source: EnvironmentSource } {
  const name = env.ENV_FILE?.trim() || '.env';
  if (name === 'none') return { env: withoutEmpty(env), source: { fromFile: 0 } };
  const path = resolve(cwd, name);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    // No .env is the usual case; a named file that is missing is a mistake worth stopping for.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !env.ENV_FILE?.trim())
      return { env: withoutEmpty(env), source: { fromFile: 0 } };
    throw new EnvFileError(
      `ENV_FILE: cannot read ${name} (${(err as NodeJS.ErrnoException).code})`,
    );
  }
  const fromFile = withoutEmpty(parseEnv(text));
  return {
    env: { ...fromFile, ...withoutEmpty(env) },
    source: { file: name, fromFile: Object.keys(fromFile).length },
  };
}

export class EnvFileError extends Error {
  override name = 'EnvFileError';
}

/** The variables with a value: an empty or blank one counts as unset. */
export function withoutEmpty(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
}
