/**
 * Where whole upstream lists are kept: the in-process ListCache below, or a store shared by every replica
 * (src/shared-state/, over Redis) with the same semantics. Keys and invalidation prefixes are whole keys or
 * families ending in ':' (`listKeys` below), which is what lets a shared store invalidate by generation.
 */
export interface ListStore {
  /** The list under `key`, fetched (once, however many ask at the same time) when missing or expired. */
  get<T>(key: string, fetch: () => Promise<T>): Promise<T>;
  /** Writes through the gateway call this so the next read sees them. */
  invalidate(prefix: string): void;
  /** Resolves once the invalidations made so far are seen by every replica (a shared store's are async). */
  settled?(): Promise<void>;
}

/**
 * A short-lived, process-wide cache of whole upstream lists (a département's étudiants, a category's
 * courses), so that paging through them does not refetch the full list for every page.
 *
 * Scope: one gateway process, shared by all requests. TTL: LIST_CACHE_TTL_MS (60 s by default); a list is
 * at most that stale. Concurrent misses for one key share one upstream call; a failed fetch is not cached.
 */
export class ListCache implements ListStore {
  private readonly entries = new Map<string, { expires: number; value: Promise<unknown> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 500,
    private readonly now: () => number = Date.now,
  ) {}

  get<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) return hit.value as Promise<T>;
    const value = fetch();
    this.entries.set(key, { expires: this.now() + this.ttlMs, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    this.evict();
    return value;
  }

  /** Writes through the gateway call this so the next read sees them. */
  invalidate(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  private evict() {
    // Maps iterate in insertion order: the oldest entries go first.
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}

/**
 * The keys of the lists the cache holds, in one place: the loaders fill them and the write services
 * invalidate them, so both must spell them alike.
 */
export const listKeys = {
  departmentStudents: (acronym: string) => `scodoc:dept-students:${acronym.toUpperCase()}`,
  categoryCourses: (categoryId: number) => `moodle:category-courses:${categoryId}`,
  allCourses: 'moodle:all-courses',
  departments: 'scodoc:departments',
  categories: 'moodle:categories',
  /** Who is enrolled in a course (ids and roles), for rosters that look enrolments up course by course. */
  courseEnrolments: (courseId: number) => `moodle:course-enrolments:${courseId}`,
  /** Prefix of every course's enrolment list: an account deleted leaves all of its courses. */
  everyCourseEnrolments: 'moodle:course-enrolments:',
  /** Prefix of every Moodle list: a course or category created or deleted invalidates them all. */
  everyMoodleList: 'moodle:',
} as const;
