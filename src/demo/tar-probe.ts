// Reads a tar stream as it passes into the layer: is it a tar at all, and which FreeBSD release's userland is it? Pure.

const BLOCK = 512
// POSIX ustar typeflags whose size field does not count data blocks (hard and symbolic links, devices, directories,
// FIFOs), as Go's archive/tar and so containerd read them.
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6'])
// bin/freebsd-version is a small sh(1) script; the release's name is in its USERLAND_VERSION line.
const VERSION_SCRIPT = 'bin/freebsd-version'
const VERSION_SCRIPT_MAX = 64 * 1024
const USERLAND_VERSION = /^USERLAND_VERSION="([^"\n]+)"$/m

export interface TarHeader {
  readonly name: string
  readonly type: string
  readonly size: number
}

/** A ustar (or GNU, or pax) header block; null when the checksum fails (an all-zero end block fails too). */
export function parseHeader(block: Buffer): TarHeader | null {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number)
  const text = (start: number, length: number) => block.toString('latin1', start, start + length).replace(/\0.*$/s, '')
  if (Number.parseInt(text(148, 8).trim(), 8) !== sum) return null
  const prefix = text(257, 6) === 'ustar' ? text(345, 155) : ''
  const name = prefix === '' ? text(0, 100) : `${prefix}/${text(0, 100)}`
  return { name, type: text(156, 1) || '0', size: numeric(block.subarray(124, 136)) }
}

/** Octal digits, or GNU base-256 (high bit set) for sizes of 8 GiB and more. */
function numeric(field: Buffer): number {
  if (((field[0] as number) & 0x80) === 0) return Number.parseInt(field.toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8)
  let value = (field[0] as number) & 0x7f
  for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] as number)
  return value
}

/** Fed the tar chunk by chunk; it only walks headers (it skips data by offset) and stops once it has what it wants. */
export class TarProbe {
  /** Whether the stream began with a valid tar header: undefined until 512 bytes have passed. */
  isTar: boolean | undefined
  /** USERLAND_VERSION of bin/freebsd-version (like 14.1-RELEASE), when the tar holds it. */
  userlandVersion: string | undefined
  private seen = 0
  private nextHeader = 0
  private readonly header = Buffer.alloc(BLOCK)
  private headerFill = 0
  private script: { start: number; end: number; parts: Buffer[] } | null = null
  private done = false

  observe(chunk: Buffer): void {
    const base = this.seen
    const end = base + chunk.length
    this.seen = end
    while (!this.done) {
      if (this.script !== null) {
        const { start, end: scriptEnd, parts } = this.script
        if (start < end) parts.push(Buffer.from(chunk.subarray(Math.max(start - base, 0), Math.min(scriptEnd, end) - base)))
        if (scriptEnd > end) return
        this.userlandVersion = USERLAND_VERSION.exec(Buffer.concat(parts).toString('utf8'))?.[1]
        this.done = true
        return
      }
      if (this.nextHeader + this.headerFill >= end) return
      const from = this.nextHeader + this.headerFill - base
      const copied = chunk.copy(this.header, this.headerFill, from, Math.min(from + BLOCK - this.headerFill, chunk.length))
      this.headerFill += copied
      if (this.headerFill < BLOCK) return
      this.headerFill = 0
      this.entry(parseHeader(this.header))
    }
  }

  private entry(header: TarHeader | null): void {
    if (this.isTar === undefined) this.isTar = header !== null
    // The end-of-archive blocks, or something this walker does not follow: stop looking rather than guess.
    if (header === null) {
      this.done = true
      return
    }
    const dataStart = this.nextHeader + BLOCK
    const dataSize = HEADER_ONLY.has(header.type) ? 0 : header.size
    this.nextHeader = dataStart + Math.ceil(dataSize / BLOCK) * BLOCK
    const name = header.name.replace(/^(?:\.?\/)+/, '')
    if (name === VERSION_SCRIPT && (header.type === '0' || header.type === '7') && dataSize <= VERSION_SCRIPT_MAX) {
      this.script = { start: dataStart, end: dataStart + dataSize, parts: [] }
    }
  }
}
