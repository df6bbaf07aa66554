import { ascii } from '../../domain/text';
import { FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES } from './names';
import { letter, pick } from './random';

/** Names and identifiers for everyone, students and staff alike: emails and NIPs are never handed out twice. */
export class PeopleFactory {
  constructor(
    private readonly rng: () => number,
    private readonly emails = new Set<string>(),
    private readonly nips = new Set<string>(),
  ) {}

  /** Draws from another random stream, still never handing out an email or NIP this factory gave. */
  fork(rng: () => number): PeopleFactory {
    return new PeopleFactory(rng, this.emails, this.nips);
  }

  person() {
    const female = this.rng() < 0.45;
    const prenom = pick(this.rng, female ? FEMALE_FIRST_NAMES : MALE_FIRST_NAMES);
    const nom = pick(this.rng, LAST_NAMES);
    return { female, prenom, nom };
  }

  email(prenom: string, nom: string, domain: string): string {
    const base = `${ascii(prenom)}.${ascii(nom)}`;
    let candidate = `${base}@${domain}`;
    for (let n = 2; this.emails.has(candidate); n += 1) candidate = `${base}${n}@${domain}`;
    this.emails.add(candidate);
    return candidate;
  }

  nip(entryYear: number): string {
    // Real NIPs at many universities start with the two digits of the entry year.
    let nip: string;
    do
      nip = `${String(entryYear % 100).padStart(2, '0')}${String(Math.floor(this.rng() * 1e6)).padStart(6, '0')}`;
    while (this.nips.has(nip));
    this.nips.add(nip);
    return nip;
  }

  ine(): string {
    const digits = String(Math.floor(this.rng() * 1e9)).padStart(9, '0');
    return `${digits}${letter(this.rng)}${letter(this.rng)}`;
  }
}
