// `runj demo spec`: a starter config.json that `runj create` accepts as it is (OCI runtime-spec 1.3, config-freebsd.md).
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidInputError, OperationError } from '../errors.js'

// FreeBSD's /etc/passwd: nobody is 65534:65534 with no home; the demo rootfs has the same entry.
const NOBODY = { uid: 65534, gid: 65534, home: '/nonexistent' }
// hier(7)'s program directories, in login.conf(5)'s default order.
const PATH = 'PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin'

/** The config: a shell (or `args`) as root or nobody, a devfs /dev with the jail ruleset, the host's IPv4 addresses. */
export function demoSpec(options: { args: readonly string[]; rootless: boolean }): Record<string, unknown> {
  const user = options.rootless ? { uid: NOBODY.uid, gid: NOBODY.gid } : { uid: 0, gid: 0 }
  return {
    ociVersion: '1.3.0',
    root: { path: 'rootfs', readonly: false },
    hostname: 'runj',
    process: {
      terminal: false,
      user,
      args: options.args.length > 0 ? [...options.args] : ['/bin/sh'],
      env: [PATH, `HOME=${options.rootless ? NOBODY.home : '/root'}`, 'TERM=xterm'],
      cwd: '/',
    },
    // devfs.rules(5): ruleset 4 is devfsrules_jail, the set FreeBSD gives jails (null, zero, random, pts, fd ...).
    mounts: [{ destination: '/dev', type: 'devfs', source: 'devfs', options: ['ruleset=4'] }],
    // config-freebsd.md "Jail": ip4 inherit shares the host's IPv4 addresses, so the shell can reach the network.
    freebsd: { jail: { ip4: 'inherit' } },
  }
}

/** Writes `<bundle>/config.json`, never over an existing one (O_EXCL, so no race either). */
export async function specCommand(args: readonly string[], options: { bundle: string; rootless?: boolean; args?: boolean }): Promise<void> {
  if (args.length > 0 && options.args !== true) throw new InvalidInputError('demo spec', `unexpected argument ${JSON.stringify(args[0])}: give the process after --args (runj demo spec --args /bin/sh -c "...")`)
  if (options.args === true && args.length === 0) throw new InvalidInputError('--args', 'needs the command to run after it')
  const path = join(options.bundle, 'config.json')
  const text = `${JSON.stringify(demoSpec({ args, rootless: options.rootless === true }), null, 2)}\n`
  try {
    await writeFile(path, text, { flag: 'wx', mode: 0o644 })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new OperationError(`${path} exists: remove it first (runj demo spec never overwrites)`)
    if (code === 'ENOENT') throw new InvalidInputError('--bundle', `${JSON.stringify(options.bundle)} does not exist`)
    throw new OperationError(`cannot write ${path}: ${code ?? String(error)}`, { cause: error })
  }
  const user = options.rootless === true ? 'nobody (65534:65534)' : 'root (0:0)'
  process.stdout.write(`${path}: runs ${JSON.stringify(args.length > 0 ? args : ['/bin/sh'])} as ${user} in ${join(options.bundle, 'rootfs')}\n`)
}
