// The release names of the demo helpers: what a host reports, what FreeBSD publishes, the mirror URL and MANIFEST.
import t from 'tap'
import { checkMirror, checkRelease, DEFAULT_MIRROR, manifestDigest, ociPlatform, releaseDirectory, hostReleaseOf } from '../../src/demo/release.js'

t.test('hostReleaseOf: uname and freebsd-version output, the -pN patch level stripped', async (t) => {
  t.same(hostReleaseOf('amd64\n', 'amd64\n', '14.1-RELEASE-p5\n'), { machine: 'amd64', arch: 'amd64', version: '14.1-RELEASE' })
  t.same(hostReleaseOf('arm64', 'aarch64', '14.2-RC1'), { machine: 'arm64', arch: 'aarch64', version: '14.2-RC1' }, 'no patch level: as it is')
  t.throws(() => checkRelease(hostReleaseOf('amd64', 'amd64', '15.0-CURRENT')), { name: 'InvalidInputError', where: '-v' }, 'a development build has no release directory')
})

t.test('checkRelease: what FreeBSD publishes, nothing that could leave the URL path', async (t) => {
  for (const version of ['14.1-RELEASE', '13.4-BETA2', '14.2-RC1', '10.4-RELEASE']) t.doesNotThrow(() => checkRelease({ machine: 'amd64', arch: 'amd64', version }), version)
  const refused: [string, string, string, string][] = [
    ['vax', 'vax', '14.1-RELEASE', '-m'],
    ['amd64', 'i386', '14.1-RELEASE', '-a'],
    ['arm64', 'amd64', '14.1-RELEASE', '-a'],
    ['amd64', 'amd64', '14.1', '-v'],
    ['amd64', 'amd64', '14.1-RELEASE-p5', '-v'],
    ['amd64', 'amd64', '14.1-STABLE', '-v'],
    ['amd64', 'amd64', '14.1-RC0', '-v'],
    ['amd64', 'amd64', '../14.1-RELEASE', '-v'],
    ['amd64', 'amd64', '14.1-RELEASE/', '-v'],
    ['../amd64', 'amd64', '14.1-RELEASE', '-m'],
    ['amd64', '', '14.1-RELEASE', '-a'],
  ]
  for (const [machine, arch, version, where] of refused) {
    t.throws(() => checkRelease({ machine, arch, version }), { name: 'InvalidInputError', where }, `${machine} ${arch} ${version}: ${where}`)
  }
  t.throws(() => checkRelease({ machine: 'vax', arch: 'vax', version: '1' }), { message: /^-m: unknown FreeBSD machine "vax" \(one of amd64, arm64, i386, arm, powerpc, riscv\)$/ }, 'the message lists the machines')
})

t.test('ociPlatform: image-spec architectures and variants', async (t) => {
  t.same(ociPlatform('amd64'), { architecture: 'amd64' })
  t.same(ociPlatform('aarch64'), { architecture: 'arm64', variant: 'v8' })
  t.same(ociPlatform('i386'), { architecture: '386' })
  t.same(ociPlatform('armv7'), { architecture: 'arm', variant: 'v7' })
  t.same(ociPlatform('armv6'), { architecture: 'arm', variant: 'v6' })
  t.same(ociPlatform('powerpc64le'), { architecture: 'ppc64le' })
  t.same(ociPlatform('riscv64'), { architecture: 'riscv64' })
  t.notOk('variant' in ociPlatform('amd64'), 'no variant key where there is none')
  t.throws(() => ociPlatform('x86_64'), { where: '-a', message: /unknown FreeBSD architecture "x86_64"/ }, "Linux's name is not FreeBSD's")
})

t.test('checkMirror and releaseDirectory', async (t) => {
  t.equal(checkMirror(DEFAULT_MIRROR), 'https://download.freebsd.org')
  t.equal(checkMirror('http://mirror.example/pub/FreeBSD/'), 'http://mirror.example/pub/FreeBSD', 'no trailing slash')
  for (const bad of ['ftp://ftp.freebsd.org', 'download.freebsd.org', 'https://x/?a=1', 'https://x/#top', 'https://user:pw@x/', 'file:///tmp']) {
    t.throws(() => checkMirror(bad), { name: 'InvalidInputError', where: '--mirror' }, bad)
  }
  t.equal(releaseDirectory('https://download.freebsd.org/', { machine: 'arm64', arch: 'aarch64', version: '14.1-RELEASE' }), 'https://download.freebsd.org/releases/arm64/aarch64/14.1-RELEASE')
})

t.test('manifestDigest: the sha256 column of the named set', async (t) => {
  const base = 'a'.repeat(64)
  const manifest = [
    `base-dbg.txz\t${'b'.repeat(64)}\t1254\tbase_dbg\t"Base system (Debugging)"\toff`,
    `base.txz\t${base}\t26049\tbase\t"Base system (MANDATORY)"\ton`,
    `kernel.txz\t${'c'.repeat(64)}\t823\tkernel\t"Kernel (MANDATORY)"\ton`,
  ].join('\n')
  t.equal(manifestDigest(manifest, 'base.txz'), base, 'not base-dbg.txz, which comes first')
  t.equal(manifestDigest(`${manifest}\n`, 'kernel.txz'), 'c'.repeat(64))
  t.equal(manifestDigest(manifest, 'ports.txz'), null, 'a set that is not listed')
  t.equal(manifestDigest(`base.txz\tnot-a-digest\t1\tbase\t"x"\ton`, 'base.txz'), null, 'a malformed digest')
  t.equal(manifestDigest(`base.txz\t${'A'.repeat(64)}\t1\tbase\t"x"\ton`, 'base.txz'), null, 'sha256(1) prints lowercase')
  t.equal(manifestDigest(`base.txz ${base} 1 base "x" on`, 'base.txz'), null, 'spaces are not the separator')
  t.equal(manifestDigest('<html>404</html>', 'base.txz'), null, 'an HTML page')
})
