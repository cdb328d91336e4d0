// Which archive format an uploaded file name announces.

/** The archive formats an upload may use. */
export type ArchiveKind = 'zip' | 'tar' | 'tar.gz';

/** The archive kind of `fileName` by its extension (case-insensitive), or undefined for a plain file. */
export function archiveKindOf(fileName: string): ArchiveKind | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  if (lower.endsWith('.tar')) return 'tar';
  return undefined;
}
