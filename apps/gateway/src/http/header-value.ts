/** A header's value as one string: Node joins repeated headers with ", ", and keeps an array only for a few (set-cookie). */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
