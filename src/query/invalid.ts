import { StateError, type StateErrorDetails } from '../errors.js';

/** Raises the error of a malformed plan. */
export function invalid(message: string, details: StateErrorDetails = {}): StateError {
  return new StateError('INVALID_QUERY', message, details);
}

const NUMERIC: ReadonlySet<string> = new Set([
  'int8',
  'int16',
  'int32',
  'uint8',
  'uint16',
  'uint32',
  'float32',
  'float64',
]);

/** Whether a column holds plain numbers in its chunk (not int64, timestamps or bools). */
export const isNumeric = (type: string): boolean => NUMERIC.has(type);

/** Whether `x` is a plain object (a plan from another thread may hold anything). */
export const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
