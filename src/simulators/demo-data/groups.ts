import { pick } from './random';
import type {
  DemoGroup,
  DemoGroupMember,
  DemoParcours,
  DemoPartition,
  DemoRegistration,
  DemoSemester,
} from './types';

/**
 * The groups of every BUT formsemestre: a partition "TD" (TD A, TD B, and TD C above 60 students), a
 * partition "TP" with two TP groups per TD (TP A1, TP A2, TP B1...), and from S3 on a partition "Parcours"
 * with one group per parcours of the département. Every student registered in the formsemestre, whatever
 * the state, is in exactly one group of each partition, the TP group within their TD; a student keeps one
 * parcours from semester to semester. Partition and group ids are two sequences, each unique across the
 * university and disjoint from the other (a client that mixes them up gets a 404, not someone else's data).
 */

const FIRST_PARTITION_ID = 1;
const FIRST_GROUP_ID = 5001;
const TD_LETTERS = ['A', 'B', 'C'];

export function buildGroups(
  semesters: DemoSemester[],
  registrations: DemoRegistration[],
  parcours: DemoParcours[],
  rng: () => number,
): { partitions: DemoPartition[]; groups: DemoGroup[]; groupMembers: DemoGroupMember[] } {
  const partitions: DemoPartition[] = [];
  const groups: DemoGroup[] = [];
  const groupMembers: DemoGroupMember[] = [];
  let partitionId = FIRST_PARTITION_ID - 1;
  let groupId = FIRST_GROUP_ID - 1;
  const parcoursOf = new Map<number, DemoParcours>();

  const regsBySem = new Map<number, DemoRegistration[]>();
  for (const r of registrations)
    regsBySem.set(r.formsemestreId, [...(regsBySem.get(r.formsemestreId) ?? []), r]);

  // Partitions numbered in display order within their formsemestre: TD 0, TP 1, Parcours 2.
  const partition = (sem: DemoSemester, name: string, numero: number): DemoPartition => {
    const p = { id: ++partitionId, formsemestreId: sem.id, name, numero };
    partitions.push(p);
    return p;
  };
  const group = (p: DemoPartition, name: string, numero: number, parcoursId?: number) => {
    const g: DemoGroup = { id: ++groupId, partitionId: p.id, name, numero };
    if (parcoursId !== undefined) g.parcoursId = parcoursId;
    groups.push(g);
    return g;
  };

  for (const sem of semesters) {
    const regs = regsBySem.get(sem.id) ?? [];
    const letters = TD_LETTERS.slice(0, regs.length > 60 ? 3 : 2);
    const td = partition(sem, 'TD', 0);
    const tdGroups = letters.map((l, i) => group(td, `TD ${l}`, i));
    const tp = partition(sem, 'TP', 1);
    const tpGroups = letters.map((l, i) => [
      group(tp, `TP ${l}1`, 2 * i),
      group(tp, `TP ${l}2`, 2 * i + 1),
    ]);
    const deptParcours = parcours.filter((p) => p.deptId === sem.deptId);
    const parcoursGroups = new Map<number, DemoGroup>();
    if (sem.semestreId >= 3 && deptParcours.length > 0) {
      const pp = partition(sem, 'Parcours', 2);
      deptParcours.forEach((c, i) =>
        parcoursGroups.set(c.id, group(pp, `Parcours ${c.code} - ${c.libelle}`, i, c.id)),
      );
    }

    // A shuffled roster dealt round-robin: TDs of even size, and within a TD, TPs of even size.
    const order = shuffle(regs, rng);
    order.forEach((r, k) => {
      const t = k % letters.length;
      groupMembers.push({ groupId: tdGroups[t]!.id, etudid: r.etudid });
      groupMembers.push({
        groupId: tpGroups[t]![Math.floor(k / letters.length) % 2]!.id,
        etudid: r.etudid,
      });
      if (parcoursGroups.size > 0) {
        let chosen = parcoursOf.get(r.etudid);
        if (!chosen || !parcoursGroups.has(chosen.id)) {
          chosen = pick(rng, deptParcours);
          parcoursOf.set(r.etudid, chosen);
        }
        groupMembers.push({ groupId: parcoursGroups.get(chosen.id)!.id, etudid: r.etudid });
      }
    });
  }
  return { partitions, groups, groupMembers };
}

function shuffle<T>(list: readonly T[], rng: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
