/**
 * `text` when it has at most `maxChars` characters; otherwise its first `maxChars` characters
 * (never half a surrogate pair) and a marker saying how much was cut:
 * `…[cut 9,990 of 10,000 characters]`. Bounds what one output or tool result can cost downstream.
 * @example cutText('a'.repeat(10), 4) // 'aaaa\n…[cut 6 of 10 characters]'
 */
export function cutText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const end = isHighSurrogate(text.charCodeAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return `${text.slice(0, end)}\n${cutMarker(text.length - end, text.length)}`;
}

/** The marker `cutText` appends: `…[cut <cut> of <total> characters]`. */
function cutMarker(cut: number, total: number): string {
  return `…[cut ${cut.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} characters]`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
