/** Tiny benchmark harness: runs `fn` in timed rounds and reports the best ops/s. */
export interface Measurement {
  name: string;
  opsPerSec: number;
}

export function measure(name: string, fn: (iterations: number) => void, iterations: number, rounds = 7): Measurement {
  fn(Math.min(iterations, 10_000)); // warm up the JIT before timing
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    fn(iterations);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, iterations / seconds);
  }
  return { name, opsPerSec: best };
}

export function formatOps(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(1)}k`;
}
