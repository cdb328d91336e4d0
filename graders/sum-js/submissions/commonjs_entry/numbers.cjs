exports.total = (text) => {
  const [count, ...values] = text.trim().split(/\s+/).map(BigInt);
  return values.slice(0, Number(count)).reduce((sum, value) => sum + value, 0n);
};
