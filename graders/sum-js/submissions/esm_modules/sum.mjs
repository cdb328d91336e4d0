export function sumOf(values) {
  return values.reduce((total, value) => total + value, 0n);
}
