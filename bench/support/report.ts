// Number formatting, medians and progress lines shared by the benchmarks.

/** `x` with thousands separators and at most `digits` decimals. */
export const fmt = (x: number, digits = 0): string =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits });

/** The median (the upper one of an even count). */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** A progress line on stderr, stamped with the seconds since the process started. */
export const log = (msg: string): void => console.error(`[${fmt(performance.now() / 1000, 1)} s] ${msg}`);
