/** The text between `<!-- suite:<name>:start -->` and `<!-- suite:<name>:end -->`, replaced; undefined when the markers are missing. */
export function replaceBetweenMarkers(doc: string, name: string, body: string): string | undefined {
  const start = `<!-- suite:${name}:start -->`;
  const end = `<!-- suite:${name}:end -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end, from);
  if (from < 0 || to < 0) return undefined;
  return `${doc.slice(0, from + start.length)}\n${body.trim()}\n${doc.slice(to)}`;
}

/** A blank line before every table that follows a line of text (markdown would read it as part of the paragraph). */
export function separateTables(markdown: string): string {
  const lines = markdown.split('\n');
  return lines
    .flatMap((line, i) =>
      line.startsWith('|') && i > 0 && lines[i - 1].trim() !== '' && !lines[i - 1].startsWith('|') ? ['', line] : [line],
    )
    .join('\n');
}
