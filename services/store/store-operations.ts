// A Store assembled from its operations, for every backend alike: each Store method is written once,
// in a backend's operation module, returning its value or a Promise of it; guardOperations() turns
// them all into the interface's Promise-returning methods, translating the backend's own errors.
import type { Store } from './store.js';

/** The names of the Store's methods (its other members, such as `maxJsonBytes`, are plain values). */
export type OperationName = { [K in keyof Store]: Store[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof Store];

type Operation<F> = F extends (...args: infer A) => Promise<infer R> ? (...args: A) => R | Promise<R> : never;

/**
 * Every Store method as a backend writes it: the same arguments, its value or a Promise of it. An
 * operation module returns some of them (`satisfies Partial<StoreOperations>` refuses a name the
 * Store does not have); the backend's store spreads them all into one object, which the compiler
 * checks to have every method.
 */
export type StoreOperations = { [K in OperationName]: Operation<Store[K]> };

/**
 * The Store's methods from their operations: each always returns a Promise, and whatever an
 * operation throws or rejects with goes through `translate` (a backend's error → a gradebox error).
 */
export function guardOperations(operations: StoreOperations, translate: (error: unknown) => unknown): Pick<Store, OperationName> {
  const guarded: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, operation] of Object.entries(operations) as Array<[string, (...args: unknown[]) => unknown]>) {
    guarded[name] = (...args) => {
      try {
        const value = operation(...args);
        return value instanceof Promise ? value.catch((error: unknown) => { throw translate(error); }) : Promise.resolve(value);
      } catch (error) {
        return Promise.reject(translate(error));
      }
    };
  }
  return guarded as unknown as Pick<Store, OperationName>;
}
