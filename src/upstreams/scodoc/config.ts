/** What the ScoDoc client needs to reach a ScoDoc 9 (parsed from SCODOC_* by src/config.ts). */
export interface ScodocConfig {
  /** Base URL up to and including `/ScoDoc`, e.g. https://scodoc.example.fr/ScoDoc */
  url: string;
  username: string;
  password: string;
  /** When set, the department-scoped API `/ScoDoc/<DEPT>/api/...` is used. */
  dept?: string;
  timeoutMs: number;
  connections: number;
}
