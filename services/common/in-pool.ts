// Runs `work(i)` for i in 0..n-1, at most `parallel` at a time (a bounded promise pool).
export async function inPool(n: number, parallel: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < n) await work(next++);
  }));
}
