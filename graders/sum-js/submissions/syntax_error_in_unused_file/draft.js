function sum(values) {
  let total = 0n
  for (const value of values { total += value }
  return total
}
