// The tar probe of `runj demo oci-image`: a tar or not, and bin/freebsd-version's release, however the stream is cut.
import t from 'tap'
import tar from 'tar-stream'
import { parseHeader, TarProbe } from '../../src/demo/tar-probe.js'

const script = '#!/bin/sh\nUSERLAND_VERSION="14.1-RELEASE"\nKERNEL_VERSION=$(uname -r)\n'

async function tarOf(entries: { name: string; type?: 'file' | 'link' | 'symlink' | 'directory'; linkname?: string; body?: Buffer | string }[]): Promise<Buffer> {
  const pack = tar.pack()
  for (const { body, ...header } of entries) pack.entry(header, body ?? '')
  pack.finalize()
  const parts: Buffer[] = []
  for await (const chunk of pack) parts.push(chunk as Buffer)
  return Buffer.concat(parts)
}

/** Feeds `data` in pieces of `size` bytes, as a pipe would cut it. */
function probe(data: Buffer, size: number): TarProbe {
  const result = new TarProbe()
  for (let at = 0; at < data.length; at += size) result.observe(data.subarray(at, at + size))
  return result
}

t.test('finds USERLAND_VERSION after files, links and a long name, for any chunking', async (t) => {
  const data = await tarOf([
    { name: './', type: 'directory' },
    { name: './bin/', type: 'directory' },
    { name: './bin/[', body: Buffer.alloc(70_001, 1) },
    { name: './bin/test', type: 'link', linkname: './bin/[' },
    { name: './bin/sh-link', type: 'symlink', linkname: 'sh' },
    { name: `./usr/share/${'long/'.repeat(30)}file`, body: 'x'.repeat(513) },
    { name: './bin/freebsd-version', body: script },
    { name: './etc/motd', body: 'FreeBSD\n' },
  ])
  for (const size of [1, 7, 511, 512, 513, 4096, 65536, data.length]) {
    const result = probe(data, size)
    t.same([result.isTar, result.userlandVersion], [true, '14.1-RELEASE'], `chunks of ${size}`)
  }
})

t.test('a tar without bin/freebsd-version, and a stream that is no tar', async (t) => {
  const plain = probe(await tarOf([{ name: 'usr/bin/freebsd-version', body: script }]), 100)
  t.same([plain.isTar, plain.userlandVersion], [true, undefined], 'only bin/freebsd-version counts')
  t.same(probe(Buffer.from('hello world\n'.repeat(100)), 64).isTar, false, 'text')
  t.same(probe(Buffer.alloc(1024), 64).isTar, false, 'an empty archive (its end blocks only)')
  t.equal(new TarProbe().isTar, undefined, 'nothing seen yet')
})

t.test('parseHeader reads ustar prefixes and GNU base-256 sizes', async (t) => {
  const data = await tarOf([{ name: `${'d/'.repeat(60)}f`, body: 'abc' }])
  t.same(parseHeader(data.subarray(0, 512)), { name: `${'d/'.repeat(60)}f`, type: '0', size: 3 })
  const big = Buffer.from(data.subarray(0, 512))
  big.fill(0, 124, 136)
  big[124] = 0x80
  big.writeUIntBE(2 ** 40, 130, 6)
  let sum = 0
  big.fill(0x20, 148, 156)
  for (const byte of big) sum += byte
  big.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1')
  t.equal(parseHeader(big)?.size, 2 ** 40, '1 TiB')
  t.equal(parseHeader(Buffer.alloc(512)), null, 'a zero block has no valid checksum')
})
