// How a message lists names for a person: `a, b and c` (or `a, b or c`), at most a few, then how many more.

export function listed(names: readonly string[], options: { conjunction?: 'and' | 'or'; max?: number } = {}): string {
  const { conjunction = 'and', max = 5 } = options;
  const shown = names.slice(0, max);
  const more = names.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} ${conjunction} ${shown.at(-1)}`;
}
