/** What the Moodle client needs to reach a site (parsed from MOODLE_* by src/config.ts). */
export interface MoodleConfig {
  /** Site root, e.g. https://moodle.example.fr */
  url: string;
  token: string;
  timeoutMs: number;
  /**
   * Timeout of the whole-course reads (SLOW_READS in ./transport.ts), never below `timeoutMs`
   * (MOODLE_SLOW_TIMEOUT_MS; 60 s when unset).
   */
  slowTimeoutMs?: number;
  connections: number;
  /** Leaf form values per request; Moodle's max_input_vars (5000) silently drops the rest. */
  maxParamsPerRequest: number;
  /** Role ids by shortname, for sites where no enrolled user reveals them (MOODLE_ROLE_IDS). */
  roleIds?: Record<string, number>;
}
