const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const DIGIT = new Map([...BASE64].map((char, digit) => [char, digit]))

/** One mapping segment's Base64 VLQ fields. */
function decodeSegment(segment) {
  const fields = []
  let value = 0
  let shift = 0
  for (const char of segment) {
    const digit = DIGIT.get(char)
    value += (digit & 31) << shift
    if (digit & 32) {
      shift += 5
    } else {
      fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
      value = 0
      shift = 0
    }
  }
  return fields
}

function encodeSegment(fields) {
  let out = ''
  for (const field of fields) {
    let value = field < 0 ? (-field << 1) | 1 : field << 1
    do {
      let digit = value & 31
      value >>>= 5
      if (value > 0) digit |= 32
      out += BASE64[digit]
    } while (value > 0)
  }
  return out
}

/**
 * A bundle's source map made cheap to load: segments of sources `detailed` accepts are kept,
 * those of other sources only where a generated line starts with them, and names and the sources'
 * text are dropped (stack traces need neither). Node parses the whole map when it loads the
 * bundle: with every segment of every dependency that took ~0.5 s of each start. A frame in a
 * dependency still shows its file and line; only the column may be off.
 */
export function sourceMapOf(map, detailed) {
  const fine = map.sources.map((source) => detailed(source))
  // Segment fields other than the generated column are relative to the previous segment of the
  // whole map: track them absolutely while reading, and relative to the last one kept while writing.
  const read = { source: 0, line: 0, column: 0 }
  const written = { source: 0, line: 0, column: 0 }
  const mappings = map.mappings.split(';').map((line) => {
    let column = 0
    let writtenColumn = 0
    const kept = []
    for (const segment of line.split(',')) {
      if (!segment) continue
      const fields = decodeSegment(segment)
      column += fields[0]
      if (fields.length < 4) continue
      read.source += fields[1]
      read.line += fields[2]
      read.column += fields[3]
      if (kept.length > 0 && !fine[read.source]) continue
      kept.push(
        encodeSegment([
          column - writtenColumn,
          read.source - written.source,
          read.line - written.line,
          read.column - written.column,
        ]),
      )
      writtenColumn = column
      Object.assign(written, read)
    }
    return kept.join(',')
  })
  return { version: 3, sources: map.sources, names: [], mappings: mappings.join(';') }
}
