/** The text between `<!-- suite:<name>:start -->` and `<!-- suite:<name>:end -->`, replaced; undefined when the markers are missing. */
export function replaceBetweenMarkers(doc: string, name: string, body: string): string | undefined {
  const start = `<!-- suite:${name}:start -->`;
  const end = `<!-- suite:${name}:end -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end, from);
  if (from < 0 || to < 0) return undefined;
  return `${doc.slice(0, from + start.length)}\n${body.trim()}\n${doc.slice(to)}`;
}
