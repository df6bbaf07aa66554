import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSchemaFile } from '../src/graph/print';

const file = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('schema as a file', () => {
  it('schema/schema.graphql is what the code prints (run `npm run schema:print`)', () => {
    expect(file('schema/schema.graphql')).toBe(printSchemaFile());
  });

  it('every name the schema sketch marks REQUIRED exists', () => {
    const sdl = printSchemaFile();
    for (const name of [
      'departments(',
      'department(',
      'student(',
      'students(',
      'semester(',
      'course(',
      'type Department',
      'type Student',
      'type Course',
      'type Enrolment',
      'type Semester',
      'type MoodleAccount',
      'startSyncSemester(',
      'syncJob(',
      'syncJobs(',
      'type StartSyncSemesterSuccess',
      'type SyncJob',
      'enum SyncJobState',
      'type SyncProgress',
    ]) {
      expect(sdl).toContain(name);
    }
    for (const field of [
      'acronym',
      'etudid',
      'nip',
      'lastName',
      'firstName',
      'moodleAccount',
      'enrolments',
      'moodleId',
      'shortName',
      'fullName',
      'formsemestreId',
      'roles',
      'account',
      'student',
      'username',
    ]) {
      expect(sdl).toMatch(new RegExp(`\\n  ${field}[:(]`));
    }
  });

  it('every type and field has a description', () => {
    const sdl = printSchemaFile();
    const lines = sdl.split('\n');
    const undocumented = lines.filter(
      (line, i) =>
        /^ {2}\w+[(:]/.test(line) &&
        !/"""$|"$/.test(lines[i - 1]!.trim()) &&
        !lines[i - 1]!.trim().endsWith('"""'),
    );
    expect(undocumented).toEqual([]);
  });
});
