import type { SelfCheck } from './health/readiness';

/**
 * What stops a start, said in one line that names the variable to change: a port in use or refused, a host
 * that does not resolve, an upstream that cannot be reached or refuses the gateway's credentials.
 */

/** The variable behind each port the process listens on, to name it when listening fails. */
export type PortVariables = Array<{ variable: string; port: number }>;

export function listenProblem(
  err: unknown,
  ports: PortVariables,
  host: { variable: string; value: string },
): string | undefined {
  const e = err as NodeJS.ErrnoException & { port?: number; hostname?: string };
  const variable = ports.find((p) => p.port !== 0 && p.port === e.port)?.variable ?? 'PORT';
  switch (e.code) {
    case 'EADDRINUSE':
      return `${variable}: port ${e.port} is already in use on ${host.value} (another Campus Graph, or another server): stop it or choose another port`;
    case 'EACCES':
      return `${variable}: port ${e.port} needs privileges this user lacks (ports below 1024): choose a port of 1024 or more`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${host.variable}: ${host.value} does not resolve to an address of this machine`;
    case 'EADDRNOTAVAIL':
      return `${host.variable}: ${host.value} is not an address of this machine`;
    default:
      return undefined;
  }
}

/**
 * The self-check's verdict at start. Refused credentials always stop it (nothing would work). An upstream that
 * cannot be reached stops it too, since at start that is most often a wrong URL, unless `degraded` is allowed
 * (START_DEGRADED=true: the gateway serves the other upstream's data and /ready says 503 until it recovers).
 */
export function upstreamProblems(
  check: SelfCheck,
  degraded: boolean,
): { fatal: string[]; warnings: Array<{ upstream: string; message: string }> } {
  const fatal: string[] = [];
  const warnings: Array<{ upstream: string; message: string }> = [];
  const sides = [
    {
      upstream: 'scodoc',
      check: check.scodoc,
      url: 'SCODOC_URL',
      credentials: 'SCODOC_USERNAME / SCODOC_PASSWORD',
    },
    { upstream: 'moodle', check: check.moodle, url: 'MOODLE_URL', credentials: 'MOODLE_TOKEN' },
  ];
  for (const { upstream, check: c, url, credentials } of sides) {
    if (c.unauthorized) fatal.push(`${credentials}: ${c.error ?? 'refused'}`);
    else if (!c.reachable) {
      const line = `${url}: ${c.error ?? 'cannot be reached'} (check the URL and that the server is up${degraded ? '' : '; START_DEGRADED=true starts anyway'})`;
      if (degraded) warnings.push({ upstream, message: line });
      else fatal.push(line);
    }
    for (const message of c.problems) warnings.push({ upstream, message });
  }
  return { fatal, warnings };
}
