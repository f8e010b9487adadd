/**
 * The JSON layout of every file the kit writes to results/: indented two spaces like
 * `JSON.stringify(value, null, 2)`, except that a list of plain values (numbers, strings, booleans,
 * nulls: a schedule, a split's indices, a curve's points) sits on one line. Such lists were most of
 * the lines and a third of the bytes of results/ (issue 22), and one line per list still diffs well.
 */

/** `value` as JSON text in the layout above, with a trailing newline; what JSON.stringify keeps, it keeps. */
export function formatJson(value: unknown): string {
  const text = JSON.stringify(value); // applies toJSON, drops undefined members, writes NaN as null
  if (text === undefined) throw new Error(`formatJson: ${typeof value} has no JSON form`);
  return layout(JSON.parse(text) as unknown, '') + '\n';
}

function layout(v: unknown, indent: string): string {
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.every((e) => e === null || typeof e !== 'object')) return `[${v.map((e) => JSON.stringify(e)).join(', ')}]`;
    return `[\n${v.map((e) => inner + layout(e, inner)).join(',\n')}\n${indent}]`;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, e]) => `${inner}${JSON.stringify(k)}: ${layout(e, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}
