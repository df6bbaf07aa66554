import { builder } from './builder';
import './mutations/courses';
import './mutations/departments';
import './mutations/students';
import './mutations/sync';
import './types/course';
import './types/department';
import './types/enrolment';
import './types/entities';
import './types/errors';
import './types/group';
import './types/moodle-account';
import './types/moodle-group';
import './types/semester';
import './types/student';
import './types/sync-job';

/** The public schema: every domain file above adds its types and root fields to the one builder. */
export const schema = builder.toSchema({ sortSchema: true });
