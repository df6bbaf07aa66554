/**
 * Success values of mutations carry a brand, so a result union can tell a `<Mutation>Success` from the typed
 * errors (class instances resolved by the errors plugin).
 */
export type Branded<T> = T & { readonly __success: string };

export function success<T extends object>(typeName: string, value: T): Branded<T> {
  return { ...value, __success: typeName };
}

export function isSuccess(typeName: string) {
  return (value: unknown) => (value as { __success?: string } | null)?.__success === typeName;
}
