import type {
  CourseModel,
  DepartmentModel,
  EnrolmentModel,
  GroupModel,
  MoodleAccountModel,
  MoodleGroupModel,
  RegistrationModel,
  SemesterModel,
  StudentModel,
} from '../domain/models';
import { builder } from './builder';

/**
 * The graph's object types, declared before any is implemented: each file in types/ implements one and
 * refers to the others through these refs, so the types can point at each other without importing each
 * other.
 */
export const DepartmentRef = builder.objectRef<DepartmentModel>('Department');
export const StudentRef = builder.objectRef<StudentModel>('Student');
export const SemesterRef = builder.objectRef<SemesterModel>('Semester');
export const CourseRef = builder.objectRef<CourseModel>('Course');
export const EnrolmentRef = builder.objectRef<EnrolmentModel>('Enrolment');
export const MoodleAccountRef = builder.objectRef<MoodleAccountModel>('MoodleAccount');
export const RegistrationRef = builder.objectRef<RegistrationModel>('SemesterRegistration');
export const GroupRef = builder.objectRef<GroupModel>('Group');
export const MoodleGroupRef = builder.objectRef<MoodleGroupModel>('MoodleGroup');

export const RegistrationStateEnum = builder.enumType('RegistrationState', {
  description: "A student's state in a semester (ScoDoc's I / D / DEF).",
  values: {
    REGISTERED: { description: 'Registered (ScoDoc "I").' },
    DROPPED_OUT: { description: 'Dropped out, démission (ScoDoc "D").' },
    DEFAULTED: { description: 'Defaulted, défaillant (ScoDoc "DEF").' },
  } as const,
});
