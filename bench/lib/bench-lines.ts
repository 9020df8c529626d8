/** The benchmark's line: `bytes` bytes including the "\n", numbered so lines differ. */
export function benchLine(i: number, bytes: number): string {
  const head = `line ${i} `;
  return head + 'x'.repeat(Math.max(0, bytes - head.length - 1)) + '\n';
}
