import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LINKING,
  categoryMatchesDepartment,
  isSoftDeletedUser,
  linkingFromEnv,
  nipOfUser,
  normalizeNip,
  parseSessionId,
  pickStudentRecord,
  semesterKeyOfCourse,
  studentUserKey,
} from '../src/domain/linking';

describe('linking rules', () => {
  it('normalizes NIPs from spreadsheets and hand entry', () => {
    expect(normalizeNip('12345678')).toBe('12345678');
    expect(normalizeNip(' 12345678 ')).toBe('12345678');
    expect(normalizeNip('12345678.0')).toBe('12345678');
    expect(normalizeNip('12345678.00')).toBe('12345678');
    expect(normalizeNip('A1234.0X')).toBe('A1234.0X');
    expect(normalizeNip('   ')).toBeNull();
    expect(normalizeNip(null)).toBeNull();
  });

  it('is configurable and rejects unknown rules', () => {
    expect(linkingFromEnv({})).toEqual(DEFAULT_LINKING);
    expect(linkingFromEnv({ LINK_STUDENT_BY: 'email' }).student).toBe('email');
    expect(() => linkingFromEnv({ LINK_STUDENT_BY: 'shoe-size' })).toThrow();
  });

  it('derives the Moodle lookup key of a student under each rule', () => {
    const etu = { code_nip: ' 2471107.0 ', email: 'lea.martin@etu.example.fr' };
    expect(studentUserKey(DEFAULT_LINKING, etu)).toEqual({ field: 'idnumber', value: '2471107' });
    expect(studentUserKey({ ...DEFAULT_LINKING, student: 'email' }, etu)).toEqual({
      field: 'email',
      value: 'lea.martin@etu.example.fr',
    });
    expect(
      studentUserKey({ ...DEFAULT_LINKING, student: 'username' }, { code_nip: 'AB12' }),
    ).toEqual({ field: 'username', value: 'ab12' });
    expect(studentUserKey(DEFAULT_LINKING, { code_nip: null })).toBeNull();
    expect(nipOfUser(DEFAULT_LINKING, { idnumber: '123.0', username: 'x' })).toBe('123');
    expect(nipOfUser({ ...DEFAULT_LINKING, student: 'email' }, { idnumber: '123' })).toBeNull();
  });

  it('recognizes soft-deleted Moodle users as recorded from Moodle 5.0', () => {
    expect(
      isSoftDeletedUser({
        username: 'fx_6b02e8c9_bob@example.com.1795352785',
        email: '65b42dae51837617502c914740c1f232',
      }),
    ).toBe(true);
    expect(
      isSoftDeletedUser({ username: 'fx_6b02e8c9_alice', email: 'fx_6b02e8c9_alice@example.com' }),
    ).toBe(false);
    expect(isSoftDeletedUser({ username: 'x', email: 'y', deleted: 1 })).toBe(true);
  });

  it('picks one record when a NIP is in several départements', () => {
    const records = [
      { id: 10, dept_id: 2 },
      { id: 42, dept_id: 1 },
      { id: 17, dept_id: 2 },
    ];
    expect(pickStudentRecord(records)).toEqual({ id: 42, dept_id: 1 });
    expect(pickStudentRecord(records, 2)).toEqual({ id: 17, dept_id: 2 });
    expect(pickStudentRecord(records, 9)).toEqual({ id: 42, dept_id: 1 });
    expect(pickStudentRecord([])).toBeNull();
  });

  it('links categories and courses', () => {
    expect(
      categoryMatchesDepartment(
        DEFAULT_LINKING,
        { idnumber: ' info ', name: 'Informatique' },
        'INFO',
      ),
    ).toBe(true);
    expect(categoryMatchesDepartment(DEFAULT_LINKING, { name: 'INFO' }, 'INFO')).toBe(false);
    expect(
      categoryMatchesDepartment(
        { ...DEFAULT_LINKING, department: 'name' },
        { name: 'INFO' },
        'INFO',
      ),
    ).toBe(true);
    expect(semesterKeyOfCourse(DEFAULT_LINKING, { idnumber: '', shortname: 'X' })).toBeNull();
    expect(
      semesterKeyOfCourse(
        { ...DEFAULT_LINKING, semester: 'shortname' },
        { shortname: 'INFO-BUT-FI-S1-2026' },
      ),
    ).toBe('INFO-BUT-FI-S1-2026');
    expect(parseSessionId('INFO-BUT-FI-S1-2026')).toEqual({ dept: 'INFO', year: 2026 });
    expect(parseSessionId('CHARTE')).toBeNull();
  });
});
