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
  return `${title}\n${wrap(what, width)}\n${renderReport(report, width)}`;
}

/** The counts and the students left out: what a local sync and a sync job both end with. */
export function renderReport(report: SyncReport, width: number): string {
  const table = new Table({ head: ['', 'planned', 'done'], style: { head: [], border: [] } });
  table.push(
    ['accounts to create', report.accountsToCreate, report.accountsCreated],
    ['enrolments to add', report.enrolmentsToAdd, report.enrolmentsAdded],
    ['enrolments to remove', report.enrolmentsToRemove, report.enrolmentsRemoved],
  );
  const g = report.groups;
  if (g)
    table.push(
      ['groupings to create', g.groupingsToCreate, g.groupingsCreated],
      ['groups to create', g.groupsToCreate, g.groupsCreated],
      ['group members to add', g.membersToAdd, g.membersAdded],
      ['group members to remove', g.membersToRemove, g.membersRemoved],
      ['groups to delete', g.groupsToDelete, g.groupsDeleted],
      ['groups to rename', g.groupsToRename, g.groupsRenamed],
    );
  let text = `${table.toString()}\n`;
  if (report.failures.length > 0)
    text +=
      `${report.failures.length} student(s) not handled, by reason:\n${summaryTable(report.failures, width)}\n` +
      `Student by student:\n${failuresTable(report.failures, width)}\n`;
  if (report.unknown.length > 0)
    text += `${report.unknown.length} write(s) with an unknown outcome (answer lost, read-back failed; check Moodle or re-run):\n${failuresTable(report.unknown, width)}\n`;
  return text;
}

/**
 * The failures counted by step and message pattern, most frequent first: 4,000 rows of the same refusal
 * hide the one different problem. A message's NIP and numbers (user ids, counts) are what varies between
 * students, so they are masked to group the rest.
 */
function failureReasons(
  failures: SyncReport['failures'],
): Array<{ count: number; step: string; reason: string }> {
  const groups = new Map<string, { count: number; step: string; reason: string }>();
  for (const f of failures) {
    const masked = f.nip ? f.message.split(f.nip).join('<NIP>') : f.message;
    const reason = masked.replace(/\b\d+(\.\d+)?\b/g, '#');
    const key = `${f.step}\u0000${reason}`;
    const group = groups.get(key) ?? { count: 0, step: f.step, reason };
    group.count += 1;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.step.localeCompare(b.step));
}

function summaryTable(failures: SyncReport['failures'], width: number): string {
  // Same layout as the per-student table: "createAccount" is the longest step.
  const count = 8;
  const step = 15;
  const reasons = failureReasons(failures);
  const longest = Math.max(...reasons.map((r) => r.reason.length)) + 2;
  const reason = Math.min(width - count - step - 4, Math.max(longest, 'reason'.length + 2));
  const table = new Table({
    head: ['count', 'step', 'reason'],
    colWidths: [count, step, reason],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const r of reasons) table.push([`${r.count} ×`, r.step, r.reason]);
  return table.toString();
}

function failuresTable(failures: SyncReport['failures'], width: number): string {
  // Widths include cell padding; four borders take the rest. "createAccount" is the longest step.
  const nip = 12;
  const step = 15;
  const longest = Math.max(...failures.map((f) => f.message.length)) + 2;
  const problem = Math.min(width - nip - step - 4, Math.max(longest, 'problem'.length + 2));
  const table = new Table({
    head: ['NIP', 'step', 'problem'],
    colWidths: [nip, step, problem],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const f of failures) table.push([f.nip ?? '—', f.step, f.message]);
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
      ...groupCounts(report),
    },
    groupChanges: report.groups?.changes ?? null,
    failures: report.failures.map((f) => ({ nip: f.nip, step: f.step, message: f.message })),
    unknown: report.unknown.map((f) => ({ nip: f.nip, step: f.step, message: f.message })),
  })}\n`;
}

/** The groups step's counts for --json, none when it was skipped. */
function groupCounts(report: SyncReport) {
  const g = report.groups;
  if (!g) return {};
  const counts = (planned: number, done: number) => ({ planned, done });
  return {
    groupingsToCreate: counts(g.groupingsToCreate, g.groupingsCreated),
    groupsToCreate: counts(g.groupsToCreate, g.groupsCreated),
    groupMembersToAdd: counts(g.membersToAdd, g.membersAdded),
    groupMembersToRemove: counts(g.membersToRemove, g.membersRemoved),
    groupsToDelete: counts(g.groupsToDelete, g.groupsDeleted),
    groupsToRename: counts(g.groupsToRename, g.groupsRenamed),
  };
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
