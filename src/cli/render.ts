import Table from 'cli-table3';
import type { SyncReport } from '../sync/apply';
import type { SyncPlan } from '../sync/plan';

/** Never narrower than 80 columns: below that the failures table has no room left for the problem. */
export function widthOf(stream: { columns?: number }): number {
  return Math.max(80, stream.columns ?? 80);
}

/** The plan (or what was applied) for a human: a head, the counts, the students left out. */
export function renderText(plan: SyncPlan, report: SyncReport, width: number): string {
  const title = report.dryRun ? 'Plan (dry run: nothing changed; add --apply)' : 'Sync applied';
  const what = `${plan.semester.title} (${plan.semester.sessionId ?? plan.semester.id}) → course ${plan.course.shortName} (${plan.course.id}), leavers: ${plan.leavers}`;
  const table = new Table({ head: ['', 'planned', 'done'], style: { head: [], border: [] } });
  table.push(
    ['accounts to create', report.accountsToCreate, report.accountsCreated],
    ['enrolments to add', report.enrolmentsToAdd, report.enrolmentsAdded],
    ['enrolments to remove', report.enrolmentsToRemove, report.enrolmentsRemoved],
  );
  let text = `${title}\n${wrap(what, width)}\n${table.toString()}\n`;
  if (report.failures.length > 0)
    text += `${report.failures.length} student(s) not handled:\n${failuresTable(report, width)}\n`;
  return text;
}

function failuresTable(report: SyncReport, width: number): string {
  // Widths include cell padding; four borders take the rest. "createAccount" is the longest step.
  const nip = 12;
  const step = 15;
  const longest = Math.max(...report.failures.map((f) => f.message.length)) + 2;
  const problem = Math.min(width - nip - step - 4, Math.max(longest, 'problem'.length + 2));
  const table = new Table({
    head: ['NIP', 'step', 'problem'],
    colWidths: [nip, step, problem],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const f of report.failures) table.push([f.nip ?? '—', f.step, f.message]);
  return table.toString();
}

/** For scripts: one JSON object, the same facts as the table. */
export function renderJson(plan: SyncPlan, report: SyncReport): string {
  const counts = (planned: number, done: number) => ({ planned, done });
  return `${JSON.stringify({
    semester: {
      id: plan.semester.id,
      sessionId: plan.semester.sessionId,
      title: plan.semester.title,
    },
    course: { id: plan.course.id, shortName: plan.course.shortName },
    leavers: plan.leavers,
    dryRun: report.dryRun,
    counts: {
      accountsToCreate: counts(report.accountsToCreate, report.accountsCreated),
      enrolmentsToAdd: counts(report.enrolmentsToAdd, report.enrolmentsAdded),
      enrolmentsToRemove: counts(report.enrolmentsToRemove, report.enrolmentsRemoved),
    },
    failures: report.failures.map((f) => ({ nip: f.nip, step: f.step, message: f.message })),
  })}\n`;
}

/** Greedy word wrap; a word longer than the width is cut, so no line ever exceeds it. */
export function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    for (let rest = word; rest.length > 0; rest = rest.slice(width)) {
      const piece = rest.slice(0, width);
      if (line && line.length + 1 + piece.length > width) {
        lines.push(line);
        line = piece;
      } else line = line ? `${line} ${piece}` : piece;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}
