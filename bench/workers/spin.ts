// A piscina task that keeps its worker busy for `ms` milliseconds and returns nothing else: a pool
// round trip with no query in it, to measure what any thread pool costs here for a task that long.
export default function spin(ms: number): number {
  const start = performance.now();
  while (performance.now() - start < ms);
  return ms;
}
