/**
 * A machine-local table the keys read and fill across runs (the runner hands in a
 * store's PersistedTable); key/ depends on this shape only, never on the store.
 */
export interface KeyTable<V> {
  readonly map: ReadonlyMap<string, V>;
  set(key: string, value: V): void;
}
